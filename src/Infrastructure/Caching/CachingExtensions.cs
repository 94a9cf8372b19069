using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;

namespace Tvm.Infrastructure.Caching;

public static class CachingExtensions
{
    /// <summary>
    /// What the caching decorators share: the clock, HybridCache for single flights, and one bounded store per
    /// cached value type. Each client registers its own cache next to itself; calling this again adds nothing.
    /// </summary>
    public static IServiceCollection AddTvmCaching(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHybridCache();
        services.TryAddSingleton(provider => NewCoalescingCache<WorkloadIdentity>(provider, "identity"));
        services.TryAddSingleton(provider => NewCoalescingCache<AwsCredentials>(provider, "credentials"));
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
}
