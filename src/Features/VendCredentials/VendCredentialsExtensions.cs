namespace Tvm.Features.VendCredentials;

public static class VendCredentialsExtensions
{
    public static IServiceCollection AddVendCredentials(this IServiceCollection services) =>
        services
            .AddSingleton<VendCredentialsHandler>()
            .AddSingleton<VendCredentialsWarmUp>()
            .AddHostedService(provider => provider.GetRequiredService<VendCredentialsWarmUp>());
}
