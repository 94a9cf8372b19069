namespace Tvm.Infrastructure.Kubernetes;

/// <summary>Who a token belongs to, as the Kubernetes API vouched for it.</summary>
/// <param name="ServiceAccountUid">Empty when the API server does not say.</param>
/// <param name="PodName">Set only for tokens bound to a pod; likewise <paramref name="PodUid"/> and <paramref name="NodeName"/>.</param>
[System.ComponentModel.ImmutableObject(true)]
public sealed record WorkloadIdentity(
    string Namespace,
    string ServiceAccount,
    string ServiceAccountUid = "",
    string PodName = "",
    string PodUid = "",
    string NodeName = "");
