using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly.Timeout;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Infrastructure.Kubernetes;

/// <summary>Asks the Kubernetes TokenReview API who a token belongs to.</summary>
internal sealed class KubernetesTokenReviewer(IKubernetes kubernetes, IOptions<TvmOptions> options) : ITokenReviewer, IDisposable
{
    private const string PodNameKey = "authentication.kubernetes.io/pod-name";
    private const string PodUidKey = "authentication.kubernetes.io/pod-uid";
    private const string NodeNameKey = "authentication.kubernetes.io/node-name";

    private readonly IReadOnlyList<string> _audiences = options.Value.TokenAudiences;
    private readonly TimeSpan _attemptTimeout = options.Value.UpstreamTimeout;
    private readonly TimeSpan _deadline = TokenReviewResilience.Deadline(options.Value);
    private readonly UpstreamGate _gate = new("token_review");

    public async ValueTask<WorkloadIdentity> ReviewAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken)
    {
        using var activity = TvmTelemetry.Source.StartActivity("TokenReview");
        using var lease = await _gate.EnterAsync(cancellationToken)
            ?? throw new TokenReviewException(TokenReviewFailure.Unavailable, $"TVM is already waiting on {UpstreamGate.DefaultMaxInFlight + UpstreamGate.DefaultMaxQueued} TokenReviews; retry shortly.");
        var started = Stopwatch.GetTimestamp();
        var result = "failure";
        try
        {
            var status = await CreateReviewAsync(token.ToString(), cancellationToken);
            result = "success";
            var identity = ToIdentity(status);
            activity?.SetWorkloadTags(identity);
            return identity;
        }
        finally
        {
            TvmTelemetry.RecordUpstream("token_review", result, Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<V1TokenReviewStatus> CreateReviewAsync(string token, CancellationToken cancellationToken)
    {
        var review = new V1TokenReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenReview",
            Spec = new V1TokenReviewSpec { Token = token, Audiences = _audiences.Count > 0 ? [.. _audiences] : null },
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_deadline);
        try
        {
            var answer = await kubernetes.AuthenticationV1.CreateTokenReviewAsync(review, cancellationToken: deadline.Token);
            return answer.Status ?? new V1TokenReviewStatus();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // The exception keeps the request body, i.e. the token: only its status code leaves this method.
            throw new TokenReviewException(TokenReviewFailure.CallerRefused,
                $"The Kubernetes API answered {(int)e.Response.StatusCode} to TVM's TokenReview: check TVM's service account and its RBAC (it needs create on tokenreviews.authentication.k8s.io).");
        }
        catch (HttpOperationException e)
        {
            throw new TokenReviewException(TokenReviewFailure.Unavailable,
                $"The Kubernetes API answered {(int)e.Response.StatusCode} to the TokenReview.");
        }
        catch (TimeoutRejectedException)
        {
            throw new TokenReviewException(TokenReviewFailure.Unavailable,
                $"The Kubernetes API did not answer the TokenReview's last attempt within {_attemptTimeout.TotalSeconds:0.#} s.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TokenReviewException(TokenReviewFailure.Unavailable,
                $"The Kubernetes API did not answer the TokenReview within {_deadline.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            throw new TokenReviewException(TokenReviewFailure.Unavailable,
                $"The Kubernetes API could not be reached ({e.HttpRequestError}).");
        }
    }

    private WorkloadIdentity ToIdentity(V1TokenReviewStatus status)
    {
        if (status.Authenticated != true)
        {
            throw new TokenReviewException(TokenReviewFailure.NotAuthenticated,
                "The Kubernetes API did not authenticate the token: it is invalid, expired, revoked or meant for another audience.");
        }

        if (_audiences.Count > 0 && !(status.Audiences ?? []).Any(_audiences.Contains))
        {
            throw new TokenReviewException(TokenReviewFailure.NotAuthenticated,
                $"The token is not meant for this service: it must carry one of the audiences {string.Join(", ", _audiences)}.");
        }

        var username = status.User?.Username;
        if (!ServiceAccountUsername.TryParse(username, out var ns, out var serviceAccount))
        {
            throw new TokenReviewException(TokenReviewFailure.NotServiceAccount,
                $"Only Kubernetes service accounts may vend credentials; this token belongs to '{username}'.");
        }

        var extra = status.User?.Extra;
        return new WorkloadIdentity(
            ns,
            serviceAccount,
            ServiceAccountUid: status.User?.Uid ?? "",
            PodName: First(extra, PodNameKey),
            PodUid: First(extra, PodUidKey),
            NodeName: First(extra, NodeNameKey));
    }

    private static string First(IDictionary<string, IList<string>>? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var values) && values.Count > 0 ? values[0] : "";
}
