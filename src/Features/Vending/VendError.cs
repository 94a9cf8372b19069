namespace Tvm.Features.Vending;

/// <summary>Every way a vend can fail. <see cref="VendErrorMapping"/> turns each into its HTTP answer.</summary>
public enum VendError
{
    MissingBearerToken,
    InvalidToken,
    NotServiceAccount,
    PolicyRenderFailed,
    KubernetesRefused,
    KubernetesUnavailable,
    StsThrottled,
    StsRefused,
    StsUnavailable,
    RateLimited,
}

/// <summary>A failed vend whose message is safe to show the caller: it never quotes a token or a secret.</summary>
/// <param name="retryAfter">When to ask again, where the failure knows; otherwise the mapping's default.</param>
public sealed class VendException(VendError error, string detail, TimeSpan? retryAfter = null) : Exception(detail)
{
    public VendError Error { get; } = error;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
