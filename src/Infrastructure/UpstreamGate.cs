using System.Threading.RateLimiting;

namespace Tvm.Infrastructure;

/// <summary>
/// Bounds the calls in flight to one upstream: a flood of distinct tokens queues here instead of exhausting
/// sockets, threads or the API server, and once the queue is full the caller is refused at once.
/// </summary>
public sealed class UpstreamGate(string upstream, int maxInFlight = UpstreamGate.DefaultMaxInFlight, int maxQueued = UpstreamGate.DefaultMaxQueued) : IDisposable
{
    public const int DefaultMaxInFlight = 64;
    public const int DefaultMaxQueued = 2048;

    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = maxInFlight,
        QueueLimit = maxQueued,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>A lease to dispose when the call is done, or null when the queue is full.</summary>
    public async ValueTask<RateLimitLease?> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    public string Upstream { get; } = upstream;

    public void Dispose() => _limiter.Dispose();
}
