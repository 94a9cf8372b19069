using Microsoft.Extensions.Internal;

namespace Tvm.Infrastructure.Caching;

/// <summary>MemoryCache's clock on a <see cref="TimeProvider"/>, so tests can move time for expiry.</summary>
internal sealed class TimeProviderClock(TimeProvider clock) : ISystemClock
{
    public DateTimeOffset UtcNow => clock.GetUtcNow();
}
