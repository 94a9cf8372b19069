using k8s;
using Tvm.Infrastructure.Caching;

namespace Tvm.Infrastructure.Kubernetes;

public static class KubernetesExtensions
{
    /// <summary>The TokenReview client, behind its cache unless TOKEN_REVIEW_CACHE_SECONDS is 0.</summary>
    public static IServiceCollection AddKubernetesTokenReview(this IServiceCollection services)
    {
        services.AddTvmCaching();
        services.AddSingleton<IKubernetes>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TvmOptions>>().Value;
            var configuration = LoadConfiguration(options);
            configuration.HttpClientTimeout = TokenReviewResilience.Deadline(options);
            var logger = provider.GetRequiredService<ILogger<KubernetesTokenReviewer>>();
            return new k8s.Kubernetes(configuration, TokenReviewResilience.CreateHandler(options, logger));
        });
        services.AddSingleton<KubernetesTokenReviewer>();
        services.AddSingleton<ITokenReviewer>(provider =>
        {
            var reviewer = provider.GetRequiredService<KubernetesTokenReviewer>();
            return provider.GetRequiredService<IOptions<TvmOptions>>().Value.TokenReviewCacheSeconds > 0
                ? ActivatorUtilities.CreateInstance<CachingTokenReviewer>(provider, (ITokenReviewer)reviewer)
                : reviewer;
        });
        return services;
    }

    /// <summary>In a pod the in-cluster config wins, even where a kubeconfig happens to exist.</summary>
    private static KubernetesClientConfiguration LoadConfiguration(TvmOptions options)
    {
        if (Kubeconfig.IsInCluster)
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        return Kubeconfig.Find(options.KubeconfigPath) is { } path
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
            : KubernetesClientConfiguration.BuildDefaultConfig();
    }
}
