using System.Security.Cryptography;
using System.Text;

namespace Tvm.Emulators.Sts;

/// <summary>How an <see cref="StsEmulator"/> is set up: the one IAM user allowed to call it and the one role it can assume.</summary>
public sealed record StsEmulatorOptions
{
    /// <summary>Access key id of the IAM user whose requests the emulator accepts.</summary>
    public string AccessKeyId { get; init; } = "AKIAIOSFODNN7EXAMPLE";

    /// <summary>Secret of <see cref="AccessKeyId"/>; random per options instance so no fixed secret ends up in configs or logs.</summary>
    public string SecretAccessKey { get; init; } = RandomNumberGenerator.GetString(SecretAlphabet, 40);

    /// <summary>Twelve-digit account that owns the user and the role.</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>Name of the only role that exists (no path).</summary>
    public string RoleName { get; init; } = "tvm-workloads";

    /// <summary>The role's MaxSessionDuration; IAM allows 3600 to 43200 seconds.</summary>
    public int MaxSessionDurationSeconds { get; init; } = 43200;

    /// <summary>
    /// Whether the role's trust policy allows <c>sts:TagSession</c>; when it does not, an AssumeRole that passes session
    /// tags is refused with <c>AccessDenied</c>. Switchable later through <see cref="StsEmulator.RoleTrustAllowsTagSession"/>.
    /// </summary>
    public bool RoleTrustAllowsTagSession { get; init; } = true;

    /// <summary>Region the emulator stands for. Signatures scoped to any region are accepted (see README.md).</summary>
    public string Region { get; init; } = "us-east-1";

    internal const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    // Records print every property in ToString; a test failure message must not carry the secret.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("AccessKeyId = ").Append(AccessKeyId)
            .Append(", SecretAccessKey = ***")
            .Append(", AccountId = ").Append(AccountId)
            .Append(", RoleName = ").Append(RoleName)
            .Append(", MaxSessionDurationSeconds = ").Append(MaxSessionDurationSeconds)
            .Append(", RoleTrustAllowsTagSession = ").Append(RoleTrustAllowsTagSession)
            .Append(", Region = ").Append(Region);
        return true;
    }
}
