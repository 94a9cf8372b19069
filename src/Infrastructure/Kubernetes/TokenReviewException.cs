namespace Tvm.Infrastructure.Kubernetes;

/// <summary>Why a TokenReview did not yield a workload identity.</summary>
public enum TokenReviewFailure
{
    /// <summary>The API server did not authenticate the token (invalid, expired, revoked, wrong audience).</summary>
    NotAuthenticated,

    /// <summary>The token is valid but does not belong to a service account.</summary>
    NotServiceAccount,

    /// <summary>The API server refused TVM itself: its RBAC or credentials are wrong.</summary>
    CallerRefused,

    /// <summary>The API server could not be reached, failed, or did not answer in time.</summary>
    Unavailable,
}

/// <summary>
/// A failed TokenReview, with a message safe to show the caller. It never wraps the exception it replaces:
/// KubernetesClient's exceptions keep the request body, which holds the reviewed token.
/// </summary>
public sealed class TokenReviewException(TokenReviewFailure failure, string message) : Exception(message)
{
    public TokenReviewFailure Failure { get; } = failure;
}
