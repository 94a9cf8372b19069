using System.Globalization;
using Tvm.Emulators.Kubernetes;

namespace Tvm.Benchmarks;

/// <summary>
/// Projected service-account tokens as the kubelet mounts them into pods: one per pod, all of one service
/// account, so that TVM reviews each token but serves every pod the same cached credentials.
/// </summary>
internal static class WorkloadTokens
{
    public const string Namespace = "bench";

    // Long enough that no token expires during a run, however slow the machine.
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(6);

    public static string MintOne(KubernetesApiEmulator kubernetes, string serviceAccount)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return kubernetes.MintProjectedToken(Namespace, serviceAccount, [Servers.Audience], Lifetime, podName: $"{serviceAccount}-steady", nodeName: "node-1");
    }

    /// <summary>One token per pod <c>{podPrefix}-0 … {podPrefix}-(count-1)</c>; RS256 signing is the cost, spread over all cores.</summary>
    public static string[] MintDistinctPods(KubernetesApiEmulator kubernetes, string serviceAccount, string podPrefix, int count)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        var tokens = new string[count];
        Parallel.For(0, count, i =>
        {
            var pod = string.Create(CultureInfo.InvariantCulture, $"{podPrefix}-{i}");
            var node = string.Create(CultureInfo.InvariantCulture, $"node-{i % 16}");
            tokens[i] = kubernetes.MintProjectedToken(Namespace, serviceAccount, [Servers.Audience], Lifetime, pod, node);
        });
        return tokens;
    }
}
