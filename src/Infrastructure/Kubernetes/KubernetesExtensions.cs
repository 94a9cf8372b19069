using k8s;

namespace Tvm.Infrastructure.Kubernetes;

public static class KubernetesExtensions
{
    public static IServiceCollection AddKubernetesTokenReview(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<TvmOptions>, KubernetesConfigurationValidator>();
        services.AddSingleton<IKubernetes>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TvmOptions>>().Value;
            var configuration = LoadConfiguration(options);
            configuration.HttpClientTimeout = TokenReviewResilience.Deadline(options);
            var logger = provider.GetRequiredService<ILogger<KubernetesTokenReviewer>>();
            return new k8s.Kubernetes(configuration, TokenReviewResilience.CreateHandler(options, logger));
        });
        services.AddSingleton<ITokenReviewer, KubernetesTokenReviewer>();
        return services;
    }

    /// <summary>In a pod the in-cluster config wins, even where a kubeconfig happens to exist.</summary>
    private static KubernetesClientConfiguration LoadConfiguration(TvmOptions options)
    {
        if (KubernetesClientConfiguration.IsInCluster())
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        return KubernetesConfigurationValidator.FindKubeconfig(options) is { } path
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
            : KubernetesClientConfiguration.BuildDefaultConfig();
    }
}

/// <summary>Fails start-up, rather than the first vend, when there is no way to reach the Kubernetes API.</summary>
internal sealed class KubernetesConfigurationValidator : IValidateOptions<TvmOptions>
{
    public ValidateOptionsResult Validate(string? name, TvmOptions options)
    {
        if (KubernetesClientConfiguration.IsInCluster() || FindKubeconfig(options) is not null)
        {
            return ValidateOptionsResult.Success;
        }

        var looked = options.KubeconfigPath ?? DefaultKubeconfig;
        return ValidateOptionsResult.Fail(
            $"{EnvironmentNames.Kubeconfig}: not running in a Kubernetes pod and no kubeconfig file at '{looked}'.");
    }

    private static string DefaultKubeconfig =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");

    public static string? FindKubeconfig(TvmOptions options)
    {
        var candidates = options.KubeconfigPath?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries) ?? [DefaultKubeconfig];
        return candidates.FirstOrDefault(File.Exists);
    }
}
