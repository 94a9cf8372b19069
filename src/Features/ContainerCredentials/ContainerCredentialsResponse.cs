using Tvm.Infrastructure.Sts;

namespace Tvm.Features.ContainerCredentials;

/// <summary>The container-credentials format every AWS SDK and the CLI read from AWS_CONTAINER_CREDENTIALS_FULL_URI.</summary>
public sealed class ContainerCredentialsResponse
{
    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public required string Token { get; init; }

    /// <summary>UTC, ISO 8601 with a Z: the SDKs refresh ahead of it.</summary>
    public required string Expiration { get; init; }

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
