using Tvm.Infrastructure.Sts;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// Serves issued credentials again to every caller with the same role, session name and policy while at least
/// half of the session duration remains, so whatever a client receives outlives the AWS SDKs' pre-emptive
/// refresh window (up to 15 minutes before expiry) as long as the session lasts 30 minutes or more. Concurrent
/// misses share one AssumeRole; STS errors are not cached.
/// </summary>
public sealed class CachingCredentialIssuer(ICredentialIssuer inner, CoalescingCache<AwsCredentials> cache) : ICredentialIssuer
{
    public ValueTask<AwsCredentials> IssueAsync(CredentialRequest request, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(KeyFor(request), (Inner: inner, Request: request), static async (state, cancellationToken) =>
        {
            var credentials = await state.Inner.IssueAsync(state.Request, cancellationToken).ConfigureAwait(false);
            return (credentials, credentials.Expiration - (state.Request.Duration / 2));
        }, cancellationToken);

    // '|' appears in none of the parts; HybridCache refuses to coalesce keys with control characters.
    private static string KeyFor(CredentialRequest request) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{request.RoleArn}|{request.RoleSessionName}|{request.Policy.Sha256}|{request.Duration.Ticks}");
}
