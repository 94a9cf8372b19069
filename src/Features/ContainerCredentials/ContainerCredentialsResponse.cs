using System.Text.Json.Serialization;
using Tvm.Infrastructure.Sts;

namespace Tvm.Features.ContainerCredentials;

/// <summary>The container-credentials format every AWS SDK and the CLI read from AWS_CONTAINER_CREDENTIALS_FULL_URI; names as the SDKs spell them.</summary>
public sealed class ContainerCredentialsResponse : ICredentialResponse<ContainerCredentialsResponse>
{
    [JsonPropertyName("AccessKeyId")]
    public required string AccessKeyId { get; init; }

    [JsonPropertyName("SecretAccessKey")]
    public required string SecretAccessKey { get; init; }

    [JsonPropertyName("Token")]
    public required string Token { get; init; }

    /// <summary>UTC, ISO 8601 with a Z: the SDKs refresh ahead of it.</summary>
    [JsonPropertyName("Expiration")]
    public required string Expiration { get; init; }

    [JsonPropertyName("AccountId")]
    public required string AccountId { get; init; }

    public static ContainerCredentialsResponse From(AwsCredentials credentials) => new()
    {
        AccessKeyId = credentials.AccessKeyId,
        SecretAccessKey = credentials.SecretAccessKey,
        Token = credentials.SessionToken,
        Expiration = credentials.ExpirationText,
        AccountId = credentials.AccountId,
    };

    public override string ToString() => nameof(ContainerCredentialsResponse);
}
