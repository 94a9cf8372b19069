using System.ComponentModel;
using System.Text;
using Tvm.Infrastructure.Templating;

namespace Tvm.Infrastructure.Sts;

/// <summary>Temporary credentials. <see cref="ToString"/> is redacted so they cannot reach a log by accident.</summary>
[ImmutableObject(true)]
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Expiration = ").Append(Expiration.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }
}

/// <summary>What to ask STS for: the role, the name CloudTrail shows, the session policy and the lifetime.</summary>
public sealed record CredentialRequest(string RoleArn, string RoleSessionName, SessionPolicy Policy, TimeSpan Duration);
