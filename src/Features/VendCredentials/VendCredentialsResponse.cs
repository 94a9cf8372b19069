using System.Text.Json.Serialization;
using Tvm.Infrastructure.Sts;

namespace Tvm.Features.VendCredentials;

/// <summary>The environment-variable names AWS SDKs and the CLI read, so scripts can export the answer as it is.</summary>
public sealed class VendCredentialsResponse : ICredentialResponse<VendCredentialsResponse>
{
    [JsonPropertyName("AWS_ACCESS_KEY_ID")]
    public required string AccessKeyId { get; init; }

    [JsonPropertyName("AWS_SECRET_ACCESS_KEY")]
    public required string SecretAccessKey { get; init; }

    [JsonPropertyName("AWS_SESSION_TOKEN")]
    public required string SessionToken { get; init; }

    /// <summary>UTC, ISO 8601 with a Z, as the AWS CLI's credential_process output spells it.</summary>
    [JsonPropertyName("AWS_CREDENTIAL_EXPIRATION")]
    public required string Expiration { get; init; }

    public static VendCredentialsResponse From(AwsCredentials credentials) => new()
    {
        AccessKeyId = credentials.AccessKeyId,
        SecretAccessKey = credentials.SecretAccessKey,
        SessionToken = credentials.SessionToken,
        Expiration = credentials.ExpirationText,
    };

    public override string ToString() => nameof(VendCredentialsResponse);
}
