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

        services.AddSingleton(provider => NewCoalescingCache<WorkloadIdentity>(provider, "identity"));
        services.AddSingleton(provider => NewCoalescingCache<AwsCredentials>(provider, "credentials"));

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

    /// <summary>
    /// Every cache holds at most CREDENTIAL_CACHE_SIZE entries. With credential caching off (0) the token-review
    /// cache, which TOKEN_REVIEW_CACHE_SECONDS governs, keeps the default bound rather than shrinking to nothing.
    /// </summary>
    private static CoalescingCache<TValue> NewCoalescingCache<TValue>(IServiceProvider provider, string name)
        where TValue : class
    {
        var size = provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize;
        return new CoalescingCache<TValue>(
            provider.GetRequiredService<HybridCache>(),
            provider.GetRequiredService<TimeProvider>(),
            name,
            size > 0 ? size : TvmOptions.DefaultCacheSize);
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
