using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Memory;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// Serves issued credentials again to every caller with the same role, session name and policy while at least
/// half of the session duration remains, so whatever a client receives outlives the AWS SDKs' pre-emptive
/// refresh window (up to 15 minutes before expiry) as long as the session lasts 30 minutes or more. Concurrent
/// misses share one AssumeRole; STS errors are not cached.
/// <para>
/// When STS is unreachable, failing or throttling, the last credentials issued for the same key are served
/// instead of an error while they have more than <see cref="StaleMargin"/> of life left, with a warning: a blip
/// at STS then costs workloads nothing. A refusal (access denied, a bad policy) is never papered over.
/// </para>
/// </summary>
public sealed partial class CachingCredentialIssuer : ICredentialIssuer, IDisposable
{
    public static readonly TimeSpan StaleMargin = TimeSpan.FromMinutes(5);

    private readonly ICredentialIssuer _inner;
    private readonly CoalescingCache<AwsCredentials> _cache;
    private readonly TimeProvider _clock;
    private readonly ILogger<CachingCredentialIssuer> _logger;
    private readonly MemoryCache _lastIssued;

    // Callers may hand the same request instance again and again: its key is built once.
    private readonly ConditionalWeakTable<CredentialRequest, string> _keys = [];

    public CachingCredentialIssuer(ICredentialIssuer inner, CoalescingCache<AwsCredentials> cache, TimeProvider clock, IOptions<TvmOptions> options, ILogger<CachingCredentialIssuer> logger)
    {
        _inner = inner;
        _cache = cache;
        _clock = clock;
        _logger = logger;
        _lastIssued = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = Math.Max(options.Value.CredentialCacheSize, 1),
            CompactionPercentage = 0.1,
            Clock = new TimeProviderClock(clock),
        });
    }

    public async ValueTask<AwsCredentials> IssueAsync(CredentialRequest request, CancellationToken cancellationToken)
    {
        var key = _keys.GetValue(request, KeyFor);
        try
        {
            return await _cache.GetOrCreateAsync(key, (Issuer: this, Key: key, Request: request), static async (state, cancellationToken) =>
            {
                var credentials = await state.Issuer._inner.IssueAsync(state.Request, cancellationToken).ConfigureAwait(false);
                state.Issuer._lastIssued.Set(state.Key, credentials, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = credentials.Expiration - StaleMargin });
                return (credentials, credentials.Expiration - (state.Request.Duration / 2));
            }, cancellationToken);
        }
        catch (AssumeRoleException e) when (e.Failure is AssumeRoleFailure.Unavailable or AssumeRoleFailure.Throttled
            && _lastIssued.TryGetValue(key, out AwsCredentials? stale) && stale is not null && stale.Expiration - _clock.GetUtcNow() > StaleMargin)
        {
            TvmTelemetry.RecordStaleCredentials();
            ServingStale(request.RoleSessionName, e.Failure.ToString(), (long)(stale.Expiration - _clock.GetUtcNow()).TotalSeconds);
            return stale;
        }
    }

    public void Dispose() => _lastIssued.Dispose();

    // '|' appears in none of the parts (STS allows it neither in names nor in tags), so the key splits back into
    // exactly the request it was made from; HybridCache refuses to coalesce keys with control characters.
    // Session tags follow as |key|value pairs: tags naming a pod give each pod credentials of its own.
    private static string KeyFor(CredentialRequest request)
    {
        var key = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(3 + (2 * request.Tags.Count), 4 + (2 * request.Tags.Count), System.Globalization.CultureInfo.InvariantCulture);
        key.AppendFormatted(request.RoleArn);
        key.AppendLiteral("|");
        key.AppendFormatted(request.RoleSessionName);
        key.AppendLiteral("|");
        key.AppendFormatted(request.Policy.Sha256);
        key.AppendLiteral("|");
        key.AppendFormatted(request.Duration.Ticks);
        foreach (var (name, value) in request.Tags)
        {
            key.AppendLiteral("|");
            key.AppendFormatted(name);
            key.AppendLiteral("|");
            key.AppendFormatted(value);
        }

        return key.ToStringAndClear();
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "STS failed ({Failure}); serving the cached credentials of {RoleSessionName}, which have {RemainingSeconds} s left")]
    private partial void ServingStale(string roleSessionName, string failure, long remainingSeconds);
}
