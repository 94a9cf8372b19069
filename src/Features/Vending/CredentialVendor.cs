using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Telemetry;
using Tvm.Infrastructure.Templating;

namespace Tvm.Features.Vending;

/// <summary>
/// The one pipeline every credential endpoint runs: token → identity → session policy → credentials. Failures
/// of the steps become <see cref="VendException"/>s, which the outcome post-processor answers.
/// </summary>
public sealed class CredentialVendor(VendingWarmUp warmUp, VendRateLimits rateLimits, IOptions<TvmOptions> options)
{
    private readonly CredentialRequests _requests = new(options.Value.RoleArn, options.Value.SessionDuration, SessionTags.Of(options.Value.SessionTags));

    /// <param name="trace">The request's record of the vend; the caller's identity is noted there as soon as it is known.</param>
    /// <exception cref="VendException">A step failed; the message is safe to show the caller.</exception>
    public async ValueTask<AwsCredentials> VendAsync(ReadOnlyMemory<char> token, VendTrace trace, CancellationToken cancellationToken)
    {
        rateLimits.AdmitAddress(trace.ClientAddress);
        var clients = await warmUp.ClientsAsync();
        try
        {
            var identity = await clients.TokenReviewer.ReviewAsync(token, cancellationToken);
            trace.Identity = identity;
            Activity.Current?.SetWorkloadTags(identity);
            rateLimits.Admit(identity);

            var policy = clients.PolicyRenderer.Render(identity);
            return await clients.CredentialIssuer.IssueAsync(_requests.For(identity, policy), cancellationToken);
        }
        catch (TokenReviewException e)
        {
            if (e.Failure is TokenReviewFailure.NotAuthenticated or TokenReviewFailure.NotServiceAccount)
            {
                rateLimits.RecordAuthenticationFailure(trace.ClientAddress);
            }

            throw new VendException(e.Failure switch
            {
                TokenReviewFailure.NotAuthenticated => VendError.InvalidToken,
                TokenReviewFailure.NotServiceAccount => VendError.NotServiceAccount,
                TokenReviewFailure.CallerRefused => VendError.KubernetesRefused,
                _ => VendError.KubernetesUnavailable,
            }, e.Message);
        }
        catch (PolicyRenderException e)
        {
            throw new VendException(VendError.PolicyRenderFailed, e.Message);
        }
        catch (AssumeRoleException e)
        {
            throw new VendException(e.Failure switch
            {
                AssumeRoleFailure.Throttled => VendError.StsThrottled,
                AssumeRoleFailure.Refused => VendError.StsRefused,
                _ => VendError.StsUnavailable,
            }, e.Message);
        }
    }
}
