namespace Tvm.Infrastructure.Sts;

/// <summary>Why STS did not issue credentials.</summary>
public enum AssumeRoleFailure
{
    /// <summary>STS throttled the call; asking again shortly may work.</summary>
    Throttled,

    /// <summary>STS refused the request (access denied, malformed or oversized policy, validation).</summary>
    Refused,

    /// <summary>STS could not be reached, failed, or did not answer in time.</summary>
    Unavailable,
}

/// <summary>A failed AssumeRole, with a message safe to show the caller.</summary>
public sealed class AssumeRoleException(AssumeRoleFailure failure, string message) : Exception(message)
{
    public AssumeRoleFailure Failure { get; } = failure;
}
