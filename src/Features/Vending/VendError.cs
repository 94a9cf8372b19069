namespace Tvm.Infrastructure.Errors;

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
}

/// <summary>
/// A failure whose message is safe to show the caller. It never wraps the exception it replaces:
/// upstream exceptions can carry the reviewed token (KubernetesClient keeps the request body).
/// </summary>
public sealed class VendException(VendError error, string detail) : Exception(detail)
{
    public VendError Error { get; } = error;
}
