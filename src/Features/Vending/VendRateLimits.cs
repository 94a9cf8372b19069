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
        if (_authFailures is null || address is null)
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
            _authFailures.AttemptAcquire(address).Dispose();
        }
    }

    public void Dispose()
    {
        _perIdentity?.Dispose();
        _authFailures?.Dispose();
    }

    private static TimeSpan RetryAfterOf(RateLimitLease lease, TimeSpan fallback) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : fallback;
}
