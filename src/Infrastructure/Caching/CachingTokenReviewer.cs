using System.Security.Cryptography;
using System.Text;
using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// Reuses a successful TokenReview for TOKEN_REVIEW_CACHE_SECONDS (the kube-apiserver itself caches token
/// authentication for 10 s), never past the token's own expiry. The key is a SHA-256 of token and audiences,
/// so no token is held in memory as a key. Failures are not cached.
/// </summary>
public sealed class CachingTokenReviewer(ITokenReviewer inner, CoalescingCache<WorkloadIdentity> cache, TimeProvider clock, IOptions<TvmOptions> options)
    : ITokenReviewer
{
    private readonly TimeSpan _lifetime = TimeSpan.FromSeconds(options.Value.TokenReviewCacheSeconds);
    private readonly byte[] _audiences = Encoding.UTF8.GetBytes("\n" + string.Join(",", options.Value.TokenAudiences));

    public ValueTask<WorkloadIdentity> ReviewAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(KeyFor(token.Span), (Inner: inner, Reviewer: this, Token: token), static async (state, cancellationToken) =>
        {
            var identity = await state.Inner.ReviewAsync(state.Token, cancellationToken).ConfigureAwait(false);
            return (identity, state.Reviewer.FreshUntil(state.Token.Span));
        }, cancellationToken);

    private DateTimeOffset FreshUntil(ReadOnlySpan<char> token)
    {
        var until = clock.GetUtcNow() + _lifetime;
        return JwtExpiry.Read(token) is { } expiry && expiry < until ? expiry : until;
    }

    private string KeyFor(ReadOnlySpan<char> token)
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
}
