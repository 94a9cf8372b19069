using System.Text;

namespace Tvm.Emulators.Sts;

/// <summary>Temporary credentials the emulator handed out for one AssumeRole call.</summary>
public sealed record IssuedCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration)
{
    // Keep the secret and the token out of ToString, which assertion libraries print on failure.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("AccessKeyId = ").Append(AccessKeyId)
            .Append(", SecretAccessKey = ***, SessionToken = ***, Expiration = ")
            .Append(Expiration.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }
}
