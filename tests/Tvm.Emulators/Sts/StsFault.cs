namespace Tvm.Emulators.Sts;

/// <summary>A failure the emulator injects into AssumeRole answers, after the request's signature has been checked.</summary>
public enum StsFault
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>HTTP 400 <c>Throttling</c> "Rate exceeded"; the SDK treats it as retryable.</summary>
    Throttle,

    /// <summary>HTTP 403 <c>AccessDenied</c>: the caller is not authorized to perform sts:AssumeRole on the requested role.</summary>
    AccessDenied,

    /// <summary>HTTP 500 <c>InternalFailure</c>; the SDK treats it as retryable.</summary>
    ServerError,

    /// <summary>Never answer: the request waits until the client aborts it or the emulator is disposed.</summary>
    Hang,
}
