using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Telemetry;
using Tvm.Infrastructure.Templating;

namespace Tvm.Features.VendCredentials;

/// <summary>Token → identity → session policy → credentials.</summary>
public sealed class VendCredentialsHandler(
    ITokenReviewer tokenReviewer,
    IPolicyRenderer policyRenderer,
    ICredentialIssuer credentialIssuer,
    IOptions<TvmOptions> options)
{
    private readonly string _roleArn = options.Value.RoleArn;
    private readonly TimeSpan _sessionDuration = options.Value.SessionDuration;

    /// <param name="onIdentified">Told who the caller is as soon as that is known, so failures after it can be attributed.</param>
    public async ValueTask<AwsCredentials> HandleAsync(string token, Action<WorkloadIdentity> onIdentified, CancellationToken cancellationToken)
    {
        var identity = await tokenReviewer.ReviewAsync(token, cancellationToken);
        onIdentified(identity);
        Activity.Current?.SetWorkloadTags(identity);

        SessionPolicy policy;
        try
        {
            policy = policyRenderer.Render(identity);
        }
        catch (PolicyRenderException e)
        {
            throw new VendException(VendError.PolicyRenderFailed, e.Message);
        }

        var request = new CredentialRequest(_roleArn, RoleSessionName.For(identity), policy, _sessionDuration);
        return await credentialIssuer.IssueAsync(request, cancellationToken);
    }
}
