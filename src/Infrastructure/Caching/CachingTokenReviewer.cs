using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// Reuses a successful TokenReview for TOKEN_REVIEW_CACHE_SECONDS (the kube-apiserver itself caches token
/// authentication for 10 s), never past the token's own expiry. The key is a SHA-256 of token and audiences,
/// so no token is held in memory as a key. Failures are not cached.
/// <para>
/// Hashing a token of a kilobyte or more was the largest single cost of a cache hit. Kestrel hands out the same string
/// for a header whose bytes repeat on a connection, so a client that sends its token again on a kept-alive connection
/// hands over the same instance: once its token is in the cache, its key is remembered against that instance, weakly
/// (the memo neither keeps the header alive nor holds anything but its hash), and strings cannot change, so the
/// instance and slice identify the token.
/// </para>
/// </summary>
public sealed class CachingTokenReviewer(ITokenReviewer inner, CoalescingCache<WorkloadIdentity> cache, TimeProvider clock, IOptions<TvmOptions> options)
    : ITokenReviewer
{
    private readonly TimeSpan _lifetime = TimeSpan.FromSeconds(options.Value.TokenReviewCacheSeconds);
    private readonly byte[] _audiences = Encoding.UTF8.GetBytes("\n" + string.Join(",", options.Value.TokenAudiences));
    private readonly ConditionalWeakTable<string, KnownKey> _keysOfHeaders = [];

    public ValueTask<WorkloadIdentity> ReviewAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(KeyFor(token), (Inner: inner, Reviewer: this, Token: token), static async (state, cancellationToken) =>
        {
            var identity = await state.Inner.ReviewAsync(state.Token, cancellationToken).ConfigureAwait(false);
            return (identity, state.Reviewer.FreshUntil(state.Token.Span));
        }, cancellationToken);

    private DateTimeOffset FreshUntil(ReadOnlySpan<char> token)
    {
        var until = clock.GetUtcNow() + _lifetime;
        return JwtExpiry.Read(token) is { } expiry && expiry < until ? expiry : until;
    }

    private string KeyFor(ReadOnlyMemory<char> token)
    {
        if (!MemoryMarshal.TryGetString(token, out var header, out var start, out var length))
        {
            return Hash(token.Span);
        }

        if (_keysOfHeaders.TryGetValue(header, out var known) && known.Start == start && known.Length == length)
        {
            return known.Key;
        }

        // Only a token already reviewed and cached is remembered, so that a stream of new tokens (each reviewed once,
        // or refused) does not pass through the table: a client that keeps its connection is hashed twice, not once.
        var key = Hash(token.Span);
        if (cache.Holds(key))
        {
            _keysOfHeaders.AddOrUpdate(header, new KnownKey(start, length, key));
        }

        return key;
    }

    private string Hash(ReadOnlySpan<char> token)
    {
        var tokenBytes = Encoding.UTF8.GetByteCount(token);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(tokenBytes + _audiences.Length);
        try
        {
            var written = Encoding.UTF8.GetBytes(token, buffer);
            _audiences.CopyTo(buffer, written);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written + _audiences.Length), hash);
            return Convert.ToBase64String(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>The key of the token at <paramref name="Start"/> and <paramref name="Length"/> of a header string.</summary>
    private sealed record KnownKey(int Start, int Length, string Key);
}
