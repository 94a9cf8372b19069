using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// A bounded in-memory cache whose misses for one key share a single upstream call.
/// <para>
/// Two platform pieces, each for what it does best: <see cref="MemoryCache"/> holds the entries, with a size
/// limit (one unit per entry, compaction evicts the oldest first) and per-entry absolute expiry on the given
/// clock; <see cref="HybridCache"/> supplies stampede protection, so a thousand concurrent misses run the factory
/// once and all await its result. HybridCache's own L1 is not used for storage because it cannot be bounded by
/// entry count for values it keeps as immutable instances, and keeping them as instances is what makes a hit free
/// of allocation. A failed factory caches nothing: every waiter sees the failure and the next call tries again.
/// </para>
/// </summary>
public sealed class CoalescingCache<TValue> : IDisposable
    where TValue : class
{
    private static readonly HybridCacheEntryOptions CoalesceOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCache,
    };

    private readonly HybridCache _coalescer;
    private readonly TimeProvider _clock;
    private readonly CacheLookupCounter _lookups;
    private readonly string _keyPrefix;
    private readonly MemoryCache _entries;

    public CoalescingCache(HybridCache coalescer, TimeProvider clock, string name, int sizeLimit)
    {
        _coalescer = coalescer;
        _clock = clock;
        _lookups = TvmTelemetry.CacheLookupsOf(name);
        _keyPrefix = name + ":";
        _entries = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = sizeLimit,
            CompactionPercentage = 0.1,
            Clock = new TimeProviderClock(clock),
        });
    }

    public int Count => _entries.Count;

    /// <summary>Whether a fresh value is held for <paramref name="key"/>, without counting a lookup.</summary>
    public bool Holds(string key) => _entries.TryGetValue(key, out TValue? held) && held is not null;

    /// <param name="create">Returns the value and the moment until which it may be served from the cache.</param>
    public ValueTask<TValue> GetOrCreateAsync<TState>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<(TValue Value, DateTimeOffset FreshUntil)>> create,
        CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out TValue? cached) && cached is not null)
        {
            _lookups.Record(hit: true);
            return ValueTask.FromResult(cached);
        }

        _lookups.Record(hit: false);
        return _coalescer.GetOrCreateAsync(
            _keyPrefix + key,
            (Cache: this, Key: key, State: state, Create: create, Caller: ExecutionContext.Capture()),
            static async (flight, cancellationToken) =>
            {
                // A flight that finished just before this one started has already filled the entry.
                if (flight.Cache._entries.TryGetValue(flight.Key, out TValue? filled) && filled is not null)
                {
                    return filled;
                }

                var (value, freshUntil) = await InCallerContext(flight.Caller, () => flight.Create(flight.State, cancellationToken)).ConfigureAwait(false);
                if (freshUntil > flight.Cache._clock.GetUtcNow())
                {
                    flight.Cache._entries.Set(flight.Key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = freshUntil });
                }

                return value;
            },
            CoalesceOnly,
            cancellationToken: cancellationToken);
    }

    public void Dispose() => _entries.Dispose();

    /// <summary>
    /// A flight runs in HybridCache's execution context, not in that of the caller that started it. The upstream
    /// call is started in the caller's, so that its spans and log lines (request id included) belong to that request.
    /// </summary>
    private static ValueTask<TResult> InCallerContext<TResult>(ExecutionContext? caller, Func<ValueTask<TResult>> start)
    {
        if (caller is null)
        {
            return start();
        }

        ValueTask<TResult> started = default;
        ExecutionContext.Run(caller, _ => started = start(), null);
        return started;
    }
}
