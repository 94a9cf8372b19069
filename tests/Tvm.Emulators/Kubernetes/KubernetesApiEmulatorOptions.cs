namespace Tvm.Emulators.Kubernetes;

/// <summary>Settings fixed for the lifetime of one <see cref="KubernetesApiEmulator"/>.</summary>
public sealed class KubernetesApiEmulatorOptions
{
    /// <summary>
    /// Clock used to mint tokens, check <c>exp</c>/<c>nbf</c>/<c>iat</c> and stamp <see cref="ReceivedTokenReview.At"/>.
    /// Swap in a fake to test expiry without waiting.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Clock skew tolerated on <c>exp</c>, <c>nbf</c> and <c>iat</c>. The real apiserver allows a full minute
    /// (go-jose's default leeway); the default here is shorter so that a token minted with a slightly negative
    /// lifetime is already rejected.
    /// </summary>
    public TimeSpan ClockSkewLeeway { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Namespace of the service account whose token <see cref="KubernetesApiEmulator.CallerToken"/> is.</summary>
    public string CallerNamespace { get; init; } = "tvm-system";

    /// <summary>Name of the service account whose token <see cref="KubernetesApiEmulator.CallerToken"/> is.</summary>
    public string CallerServiceAccount { get; init; } = "tvm";
}
