namespace Tvm.Emulators.Sts;

/// <summary>
/// One AssumeRole request the emulator received and how it was answered.
/// <paramref name="ErrorCode"/> is null and <paramref name="Issued"/> set on success; both are null for a request
/// held by <see cref="StsFault.Hang"/>, which is recorded when it starts waiting.
/// </summary>
/// <param name="RoleArn">RoleArn as sent (empty when missing).</param>
/// <param name="RoleSessionName">RoleSessionName as sent (empty when missing).</param>
/// <param name="DurationSeconds">DurationSeconds as sent, when it was an integer.</param>
/// <param name="Policy">The inline session policy as sent.</param>
/// <param name="ErrorCode">The AWS error code answered, such as <c>ValidationError</c> or <c>SignatureDoesNotMatch</c>.</param>
/// <param name="Issued">The credentials answered on success.</param>
/// <param name="At">When the request was handled.</param>
/// <param name="Tags">The session tags as sent (<c>Tags.member.N.Key</c>/<c>.Value</c>), in member order; a missing key or value reads as empty.</param>
public sealed record AssumeRoleRecord(
    string RoleArn,
    string RoleSessionName,
    int? DurationSeconds,
    string? Policy,
    string? ErrorCode,
    IssuedCredentials? Issued,
    DateTimeOffset At,
    IReadOnlyList<KeyValuePair<string, string>> Tags);
