using Tvm.Infrastructure.OpenApi;

namespace Tvm.Features.Vending;

public static class VendingExtensions
{
    public static IServiceCollection AddCredentialVending(this IServiceCollection services) =>
        services
            .AddSingleton(provider => ActivatorUtilities.CreateInstance<VendClients>(provider))
            .AddSingleton<CredentialVendor>()
            .AddSingleton<VendRateLimits>()
            .AddSingleton<VendingWarmUp>()
            .AddHostedService(provider => provider.GetRequiredService<VendingWarmUp>());

    /// <summary>Marks an endpoint as one that runs the vend pipeline: its failures are answered and its outcome logged alike.</summary>
    public static void VendsCredentials(this EndpointDefinition endpoint)
    {
        endpoint.PreProcessor<VendOutcomeStart>(Order.Before);
        endpoint.PostProcessor<VendOutcomeEnd>(Order.After);
        endpoint.Options(builder => builder.WithMetadata(new TakesServiceAccountToken()));
    }

    /// <summary>The answers every vend endpoint may give besides its 200.</summary>
    public static RouteHandlerBuilder ProducesVendProblems(this RouteHandlerBuilder endpoint)
    {
        foreach (var status in Enum.GetValues<VendError>().Select(error => VendErrorMapping.Describe(error).Status).Distinct().Order())
        {
            endpoint.ProducesProblem(status);
        }

        return endpoint;
    }
}
