namespace Tvm.Infrastructure.Telemetry;

/// <summary>Hits and misses of one cache, counted since the process started.</summary>
public sealed class CacheLookupCounter
{
    private long _hits;
    private long _misses;

    public long Hits => Volatile.Read(ref _hits);

    public long Misses => Volatile.Read(ref _misses);

    public void Record(bool hit)
    {
        if (hit)
        {
            Interlocked.Increment(ref _hits);
        }
        else
        {
            Interlocked.Increment(ref _misses);
        }
    }
}
