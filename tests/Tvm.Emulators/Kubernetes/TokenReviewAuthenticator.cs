using System.Collections.Frozen;
using System.Text;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// Decides a TokenReview the way kube-apiserver's service-account JWT authenticator does
/// (<c>pkg/serviceaccount/jwt.go</c>, <c>claims.go</c>, <c>legacy.go</c>): issuer pre-check, signature by key ID,
/// audience intersection with the implicit API audience, then time and bound-object checks. Error texts follow
/// the apiserver's where the emulator models the same situation.
/// </summary>
internal sealed class TokenReviewAuthenticator(
    JwtSigningKey clusterKey,
    ClusterInventory inventory,
    TimeProvider clock,
    TimeSpan leeway)
{
    public const string InvalidatedError = "service account token has been invalidated";

    private const string PodNameKey = "authentication.kubernetes.io/pod-name";
    private const string PodUidKey = "authentication.kubernetes.io/pod-uid";
    private const string NodeNameKey = "authentication.kubernetes.io/node-name";
    private const string NodeUidKey = "authentication.kubernetes.io/node-uid";
    private const string CredentialIdKey = "authentication.kubernetes.io/credential-id";
    private const string AuthenticatedGroup = "system:authenticated";

    private static readonly IReadOnlyList<string> ImplicitAudiences = [KubernetesApiEmulator.DefaultAudience];

    private static readonly FrozenSet<string> KnownIssuers = FrozenSet.Create(
        StringComparer.Ordinal,
        KubernetesApiEmulator.Issuer,
        KubernetesApiEmulator.LegacyIssuer,
        KubernetesApiEmulator.UserIssuer);

    private static readonly IReadOnlyDictionary<string, string[]> NoExtra =
        FrozenDictionary<string, string[]>.Empty;

    /// <param name="token">The bearer token under review.</param>
    /// <param name="tokenSha256">Its hex SHA-256, the key under which revocations are recorded.</param>
    /// <param name="specAudiences"><c>spec.audiences</c>; empty means the API server's own audience.</param>
    public TokenReviewOutcome Review(string token, string tokenSha256, IReadOnlyList<string> specAudiences)
    {
        var requestedAudiences = specAudiences.Count > 0 ? specAudiences : ImplicitAudiences;

        // Tokens that are not JWTs from a known issuer are passed over by this authenticator without an error
        // of its own; the bearer-token layer then reports the generic failure.
        if (token.TrimStart().StartsWith('{')
            || !UnverifiedJwt.TryParse(token, out var jwt)
            || jwt.Issuer is null
            || !KnownIssuers.Contains(jwt.Issuer))
        {
            return TokenReviewOutcome.Failure("invalid bearer token");
        }

        if (!string.IsNullOrEmpty(jwt.KeyId) && !string.Equals(jwt.KeyId, clusterKey.KeyId, StringComparison.Ordinal))
        {
            return TokenReviewOutcome.Failure("invalid signature, no keys found");
        }

        if (!string.Equals(jwt.Algorithm, "RS256", StringComparison.Ordinal)
            || !clusterKey.Verify(jwt.SigningInput, jwt.Signature))
        {
            return TokenReviewOutcome.Failure("go-jose/go-jose: error in cryptographic primitive");
        }

        // Tokens without "aud" (legacy Secret tokens) are only good for the API server itself.
        var tokenAudiences = jwt.Audiences.Count > 0 ? jwt.Audiences : ImplicitAudiences;
        var audiences = Intersect(tokenAudiences, requestedAudiences);
        if (audiences.Count == 0)
        {
            return TokenReviewOutcome.Failure(
                $"token audiences {GoQuoted(tokenAudiences)} is invalid for the target audiences {GoQuoted(requestedAudiences)}");
        }

        return jwt.Issuer switch
        {
            KubernetesApiEmulator.LegacyIssuer => ReviewLegacy(jwt, tokenSha256, audiences),
            KubernetesApiEmulator.UserIssuer => ReviewUser(jwt, tokenSha256, audiences),
            _ => ReviewBound(jwt, tokenSha256, audiences),
        };
    }

    private TokenReviewOutcome ReviewBound(UnverifiedJwt jwt, string tokenSha256, IReadOnlyList<string> audiences)
    {
        if (CheckTimes(jwt, "service account token") is { } timeError)
        {
            return TokenReviewOutcome.Failure(timeError);
        }

        var @namespace = jwt.Namespace ?? string.Empty;
        var serviceAccount = jwt.ServiceAccount ?? new ObjectReference(string.Empty, string.Empty);
        if (CheckServiceAccount(@namespace, serviceAccount.Name, serviceAccount.Uid, "service account") is { } saError)
        {
            return TokenReviewOutcome.Failure(saError);
        }

        if (jwt.Pod is { } pod)
        {
            // A deleted pod invalidates its tokens; a recreated one (same name, new UID) does too.
            var podUid = inventory.FindPodUid(@namespace, pod.Name);
            if (podUid is null)
            {
                return TokenReviewOutcome.Failure(InvalidatedError);
            }

            if (!string.Equals(podUid, pod.Uid, StringComparison.Ordinal))
            {
                return TokenReviewOutcome.Failure(
                    $"pod UID ({podUid}) does not match service account pod ref claim ({pod.Uid})");
            }
        }

        if (inventory.IsTokenInvalidated(tokenSha256))
        {
            return TokenReviewOutcome.Failure(InvalidatedError);
        }

        var extra = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(jwt.Id))
        {
            extra[CredentialIdKey] = [$"JTI={jwt.Id}"];
        }

        if (jwt.Pod is { } boundPod)
        {
            extra[PodNameKey] = [boundPod.Name];
            extra[PodUidKey] = [boundPod.Uid];
        }

        if (jwt.Node is { Name.Length: > 0 } node)
        {
            extra[NodeNameKey] = [node.Name];
            if (node.Uid.Length > 0)
            {
                extra[NodeUidKey] = [node.Uid];
            }
        }

        return TokenReviewOutcome.Success(
            ServiceAccountUser(@namespace, serviceAccount.Name, serviceAccount.Uid, extra),
            audiences);
    }

    private TokenReviewOutcome ReviewLegacy(UnverifiedJwt jwt, string tokenSha256, IReadOnlyList<string> audiences)
    {
        var missingClaim = jwt switch
        {
            { Subject: null or "" } => "sub",
            { LegacyNamespace: null or "" } => "namespace",
            { LegacySecretName: null or "" } => "secretName",
            { LegacyServiceAccountName: null or "" } => "serviceAccountName",
            { LegacyServiceAccountUid: null or "" } => "serviceAccountUID",
            _ => null,
        };
        if (missingClaim is not null)
        {
            return TokenReviewOutcome.Failure($"{missingClaim} claim is missing");
        }

        var @namespace = jwt.LegacyNamespace!;
        var name = jwt.LegacyServiceAccountName!;
        var uid = jwt.LegacyServiceAccountUid!;
        if (!string.Equals(jwt.Subject, ServiceAccountTokenIssuer.ServiceAccountUsername(@namespace, name), StringComparison.Ordinal))
        {
            return TokenReviewOutcome.Failure("sub claim is invalid");
        }

        // Revoking a legacy token stands for deleting its Secret.
        if (inventory.IsTokenInvalidated(tokenSha256))
        {
            return TokenReviewOutcome.Failure(InvalidatedError);
        }

        if (CheckServiceAccount(@namespace, name, uid, "ServiceAccount") is { } saError)
        {
            return TokenReviewOutcome.Failure(saError);
        }

        return TokenReviewOutcome.Success(ServiceAccountUser(@namespace, name, uid, NoExtra), audiences);
    }

    private TokenReviewOutcome ReviewUser(UnverifiedJwt jwt, string tokenSha256, IReadOnlyList<string> audiences)
    {
        if (CheckTimes(jwt, "token") is { } timeError)
        {
            return TokenReviewOutcome.Failure(timeError);
        }

        if (string.IsNullOrEmpty(jwt.Subject))
        {
            return TokenReviewOutcome.Failure("sub claim is missing");
        }

        if (inventory.IsTokenInvalidated(tokenSha256))
        {
            return TokenReviewOutcome.Failure("token has been invalidated");
        }

        return TokenReviewOutcome.Success(
            new AuthenticatedUser(jwt.Subject, Uid: null, [AuthenticatedGroup], NoExtra),
            audiences);
    }

    // go-jose's Claims.ValidateWithLeeway, with the messages claims.go maps its errors to.
    private string? CheckTimes(UnverifiedJwt jwt, string subject)
    {
        var now = clock.GetUtcNow();
        if (jwt.NotBefore is { } notBefore && now + leeway < DateTimeOffset.FromUnixTimeSeconds(notBefore))
        {
            return $"{subject} is not valid yet";
        }

        if (jwt.Expiry is { } expiry && now - leeway > DateTimeOffset.FromUnixTimeSeconds(expiry))
        {
            return $"{subject} has expired";
        }

        if (jwt.IssuedAt is { } issuedAt && now + leeway < DateTimeOffset.FromUnixTimeSeconds(issuedAt))
        {
            return $"{subject} is issued in the future";
        }

        return null;
    }

    private string? CheckServiceAccount(string @namespace, string name, string claimedUid, string kindInMessage)
    {
        var uid = inventory.FindServiceAccountUid(@namespace, name);
        if (uid is null)
        {
            return $"serviceaccounts \"{name}\" not found";
        }

        return string.Equals(uid, claimedUid, StringComparison.Ordinal)
            ? null
            : $"{kindInMessage} UID ({uid}) does not match claim ({claimedUid})";
    }

    private static AuthenticatedUser ServiceAccountUser(
        string @namespace,
        string name,
        string uid,
        IReadOnlyDictionary<string, string[]> extra) =>
        new(
            ServiceAccountTokenIssuer.ServiceAccountUsername(@namespace, name),
            uid,
            ["system:serviceaccounts", $"system:serviceaccounts:{@namespace}", AuthenticatedGroup],
            extra);

    // authenticator.Audiences.Intersect: the requested audiences, in request order, that the token carries.
    private static List<string> Intersect(IReadOnlyList<string> tokenAudiences, IReadOnlyList<string> requestedAudiences)
    {
        var selected = new List<string>(1);
        foreach (var requested in requestedAudiences)
        {
            foreach (var carried in tokenAudiences)
            {
                if (string.Equals(carried, requested, StringComparison.Ordinal))
                {
                    selected.Add(requested);
                    break;
                }
            }
        }

        return selected;
    }

    // Go's %q of a []string: ["a" "b"].
    private static string GoQuoted(IReadOnlyList<string> values)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append('"').Append(values[i].Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        return text.Append(']').ToString();
    }
}
