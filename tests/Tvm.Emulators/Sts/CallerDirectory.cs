using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Tvm.Emulators.Sts;

/// <summary>Knows which secret belongs to an access key id and who the key stands for.</summary>
internal sealed class CallerDirectory(StsEmulatorOptions options, EmulatedRole role, SessionCredentialMinter minter)
{
    /// <summary>The IAM user behind the base credentials; real user ids start with "AIDA".</summary>
    public StsCaller User { get; } = new(
        $"arn:aws:iam::{options.AccountId}:user/tvm",
        "AIDA" + RandomNumberGenerator.GetString(EmulatedRole.IdAlphabet, 17),
        options.AccountId,
        IsRoleSession: false);

    public bool TryResolve(
        string accessKeyId,
        string? sessionToken,
        [NotNullWhen(true)] out SigningIdentity? identity,
        [NotNullWhen(false)] out StsError? error)
    {
        identity = null;
        error = StsError.InvalidClientTokenId;

        if (string.Equals(accessKeyId, options.AccessKeyId, StringComparison.Ordinal))
        {
            // Long-term keys carry no session token; STS rejects one sent alongside them.
            if (!string.IsNullOrEmpty(sessionToken))
            {
                return false;
            }

            identity = new SigningIdentity(options.SecretAccessKey, User, ExpiresAt: null);
            error = null;
            return true;
        }

        if (minter.TryRedeem(accessKeyId, sessionToken, out var session))
        {
            var caller = new StsCaller(
                role.SessionArn(session.SessionName), role.SessionUserId(session.SessionName), role.AccountId, IsRoleSession: true);
            identity = new SigningIdentity(session.SecretAccessKey, caller, session.Expiration);
            error = null;
            return true;
        }

        return false;
    }
}

/// <summary>The secret to check a signature with, the caller it proves, and when temporary credentials stop working.</summary>
internal sealed record SigningIdentity(string SecretAccessKey, StsCaller Caller, DateTimeOffset? ExpiresAt);
