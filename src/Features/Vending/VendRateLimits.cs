using System.Net;
using System.Threading.RateLimiting;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Features.Vending;

/// <summary>
/// The platform's rate limiters, partitioned as vending needs: a token bucket per namespace/service account
/// (RATE_LIMIT_PER_IDENTITY, bucket RATE_LIMIT_BURST), so one workload cannot crowd out the others; and a fixed
/// window of failed authentications per client address (AUTH_FAILURES_PER_MINUTE), so garbage tokens cannot turn
/// TVM into an amplifier against the API server. Both partition keys are known only inside the pipeline (the
/// identity after the TokenReview), which is why these are used here rather than as request middleware.
/// </summary>
public sealed class VendRateLimits : IDisposable
{
    private static readonly TimeSpan AuthFailureWindow = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<WorkloadIdentity>? _perIdentity;
    private readonly PartitionedRateLimiter<IPAddress>? _authFailures;

    // Environment.TickCount64 of the last failed authentication from any address; long.MinValue / 2: none yet.
    private long _lastAuthFailure = long.MinValue / 2;

    public VendRateLimits(IOptions<TvmOptions> options)
    {
        var settings = options.Value;
        if (settings.RateLimitPerIdentity > 0)
        {
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.RateLimitBurst,
                TokensPerPeriod = settings.RateLimitPerIdentity,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            // The limiter factory is built once: the partitioner runs on every request and should not allocate.
            Func<(string, string), RateLimiter> newBucket = _ => new TokenBucketRateLimiter(bucket);
            _perIdentity = PartitionedRateLimiter.Create<WorkloadIdentity, (string, string)>(identity =>
                RateLimitPartition.Get((identity.Namespace, identity.ServiceAccount), newBucket));
        }

        if (settings.AuthFailuresPerMinute > 0)
        {
            var window = new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.AuthFailuresPerMinute,
                Window = AuthFailureWindow,
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            Func<IPAddress, RateLimiter> newWindow = _ => new FixedWindowRateLimiter(window);
            _authFailures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.Get(address, newWindow));
        }
    }

    /// <exception cref="VendException">With <see cref="VendError.RateLimited"/>: the identity used up its bucket.</exception>
    public void Admit(WorkloadIdentity identity)
    {
        if (_perIdentity is null)
        {
            return;
        }

        using var lease = _perIdentity.AttemptAcquire(identity);
        if (!lease.IsAcquired)
        {
            TvmTelemetry.RecordRateLimited("identity");
            throw new VendException(VendError.RateLimited,
                $"{identity.Namespace}/{identity.ServiceAccount} is over its rate limit; retry later.", RetryAfterOf(lease, TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>Refuses a client address that has used up its failed authentications, before it costs a TokenReview.</summary>
    /// <exception cref="VendException">With <see cref="VendError.RateLimited"/>.</exception>
    public void AdmitAddress(IPAddress? address)
    {
        if (_authFailures is null || address is null || !AuthFailedWithin(2 * AuthFailureWindow))
        {
            return;
        }

        // Zero permits asks whether any are left without using one: only failures use the window up.
        using var lease = _authFailures.AttemptAcquire(address, 0);
        if (!lease.IsAcquired)
        {
            TvmTelemetry.RecordRateLimited("auth_failures");
            throw new VendException(VendError.RateLimited,
                "Too many failed authentications from this address; retry later.", RetryAfterOf(lease, AuthFailureWindow));
        }
    }

    public void RecordAuthenticationFailure(IPAddress? address)
    {
        if (_authFailures is not null && address is not null)
        {
            Volatile.Write(ref _lastAuthFailure, Environment.TickCount64);
            _authFailures.AttemptAcquire(address).Dispose();
        }
    }

    /// <summary>
    /// A fixed window refuses only after failures inside it, and every window is refilled at most one window after
    /// its last failure. So when no address has failed for two windows none can be refused, and the healthy steady
    /// state skips the partition lookup (a lock and a dictionary probe) on every request.
    /// </summary>
    private bool AuthFailedWithin(TimeSpan period) =>
        Environment.TickCount64 - Volatile.Read(ref _lastAuthFailure) <= (long)period.TotalMilliseconds;

    public void Dispose()
    {
        _perIdentity?.Dispose();
        _authFailures?.Dispose();
    }

    private static TimeSpan RetryAfterOf(RateLimitLease lease, TimeSpan fallback) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : fallback;
}
