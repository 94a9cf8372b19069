using System.ComponentModel;
using System.Text;
using Tvm.Infrastructure.Templating;

namespace Tvm.Infrastructure.Sts;

/// <summary>Temporary credentials. <see cref="ToString"/> is redacted so they cannot reach a log by accident.</summary>
/// <param name="AccountId">The AWS account the credentials act in; empty when STS did not say.</param>
[ImmutableObject(true)]
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration, string AccountId = "")
{
    /// <summary>UTC, ISO 8601 with a Z, as the AWS CLI and the container-credentials format spell it.</summary>
    public string ExpirationText => Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Expiration = ").Append(Expiration.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", AccountId = ").Append(AccountId);
        return true;
    }
}

/// <summary>What to ask STS for: the role, the name CloudTrail shows, the session policy and the lifetime.</summary>
public sealed record CredentialRequest(string RoleArn, string RoleSessionName, SessionPolicy Policy, TimeSpan Duration)
{
    /// <summary>Session tags, in the order they are sent; none by default.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];
}
