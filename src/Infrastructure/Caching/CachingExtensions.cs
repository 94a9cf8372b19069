using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Templating;

namespace Tvm.Infrastructure.Caching;

public static class CachingExtensions
{
    /// <summary>
    /// Wraps the token reviewer, the policy renderer and the credential issuer in their caches. Call after
    /// they are registered: each cache decorates the registration it finds.
    /// </summary>
    public static IServiceCollection AddTvmCaching(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHybridCache();

        services.AddSingleton(provider => new CoalescingCache<WorkloadIdentity>(
            provider.GetRequiredService<HybridCache>(),
            provider.GetRequiredService<TimeProvider>(),
            "identity",
            Math.Max(1, provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize)));
        services.AddSingleton(provider => new CoalescingCache<AwsCredentials>(
            provider.GetRequiredService<HybridCache>(),
            provider.GetRequiredService<TimeProvider>(),
            "credentials",
            Math.Max(1, provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize)));

        Decorate<ITokenReviewer>(services, (provider, inner) =>
            provider.GetRequiredService<IOptions<TvmOptions>>().Value.TokenReviewCacheSeconds > 0
                ? ActivatorUtilities.CreateInstance<CachingTokenReviewer>(provider, inner)
                : inner);
        Decorate<IPolicyRenderer>(services, (provider, inner) =>
            CredentialCachingEnabled(provider) ? ActivatorUtilities.CreateInstance<CachingPolicyRenderer>(provider, inner) : inner);
        Decorate<ICredentialIssuer>(services, (provider, inner) =>
            CredentialCachingEnabled(provider) ? ActivatorUtilities.CreateInstance<CachingCredentialIssuer>(provider, inner) : inner);
        return services;
    }

    private static bool CredentialCachingEnabled(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize > 0;

    private static void Decorate<TService>(IServiceCollection services, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var registration = services.Last(descriptor => descriptor.ServiceType == typeof(TService));
        services.Remove(registration);
        services.AddSingleton(provider => decorate(provider, Resolve(provider, registration)));

        static TService Resolve(IServiceProvider provider, ServiceDescriptor registration) => (TService)(
            registration.ImplementationInstance
            ?? registration.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, registration.ImplementationType!));
    }
}
