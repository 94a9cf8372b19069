using k8s;

namespace Tvm.Infrastructure.Configuration;

/// <summary>Where the Kubernetes client's configuration comes from: the pod's service account, else a kubeconfig file.</summary>
public static class Kubeconfig
{
    public static bool IsInCluster => KubernetesClientConfiguration.IsInCluster();

    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");

    /// <summary>The first existing file of KUBECONFIG (a path list, as kubectl reads it), or of the default path.</summary>
    public static string? Find(string? configured)
    {
        var candidates = configured?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries) ?? [DefaultPath];
        return candidates.FirstOrDefault(File.Exists);
    }
}
