namespace Tvm.Emulators.Kubernetes;

/// <summary>How the emulated API server misbehaves towards TokenReview requests.</summary>
public enum KubernetesFault
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>Reject the caller's own credential: 401 Unauthorized Status, as for an expired or unknown caller token.</summary>
    RefuseCaller,

    /// <summary>Authenticate the caller but deny it by RBAC: 403 Forbidden Status.</summary>
    ForbidCaller,

    /// <summary>500 InternalError Status, as when the apiserver cannot reach etcd or an authenticator webhook fails.</summary>
    ServerError,

    /// <summary>
    /// 429 TooManyRequests Status with <c>Retry-After: 1</c>, as API Priority and Fairness answers when the
    /// caller's priority level has no seats left.
    /// </summary>
    Throttle,

    /// <summary>Never answer: the request stays open until the client aborts it or the emulator is disposed.</summary>
    Hang,
}
