namespace Tvm.Emulators.Sts;

/// <summary>Who signed a request: the IAM user, or a session of the role created by an earlier AssumeRole.</summary>
internal sealed record StsCaller(string Arn, string UserId, string AccountId, bool IsRoleSession);
