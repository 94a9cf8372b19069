using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;

namespace Tvm.Benchmarks;

/// <summary>
/// The Kubernetes API and STS emulators, in this process on 127.0.0.1, answering with the latency of their real
/// counterparts so that cache misses cost what they cost in a cluster.
/// </summary>
internal sealed class Upstreams : IAsyncDisposable
{
    private Upstreams(KubernetesApiEmulator kubernetes, StsEmulator sts)
    {
        Kubernetes = kubernetes;
        Sts = sts;
    }

    public KubernetesApiEmulator Kubernetes { get; }
    public StsEmulator Sts { get; }

    public int TokenReviews => Kubernetes.TokenReviewCount;
    public int AssumeRoles => Sts.AssumeRoleCount;

    public static async Task<Upstreams> StartAsync(TimeSpan reviewLatency, TimeSpan stsLatency, CancellationToken cancellationToken)
    {
        var kubernetes = await KubernetesApiEmulator.StartAsync(cancellationToken);
        try
        {
            var sts = await StsEmulator.StartAsync(cancellationToken: cancellationToken);
            kubernetes.Latency = reviewLatency;
            // Hundreds of thousands of reviews would otherwise each leave a record behind.
            kubernetes.RecordReceived = false;
            sts.Latency = stsLatency;
            return new Upstreams(kubernetes, sts);
        }
        catch
        {
            await kubernetes.DisposeAsync();
            throw;
        }
    }

    /// <summary>Zeroes both counters (and drops STS's per-call records, which would otherwise pile up).</summary>
    public void ResetCounters()
    {
        Kubernetes.ResetCounters();
        Sts.ResetCounters();
    }

    public async ValueTask DisposeAsync()
    {
        await Sts.DisposeAsync();
        await Kubernetes.DisposeAsync();
    }
}
