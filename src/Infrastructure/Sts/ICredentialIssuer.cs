namespace Tvm.Infrastructure.Sts;

/// <summary>Issues temporary AWS credentials, or fails with a <see cref="AssumeRoleException"/>.</summary>
public interface ICredentialIssuer
{
    ValueTask<AwsCredentials> IssueAsync(CredentialRequest request, CancellationToken cancellationToken);
}
