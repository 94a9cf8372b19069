using System.Globalization;
using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Tvm.Infrastructure.Kubernetes;

/// <summary>
/// Retries TokenReviews that fail transiently: no connection, a 5xx, a 429 (after its Retry-After), an attempt
/// slower than UPSTREAM_TIMEOUT_SECONDS. KubernetesClient retries nothing itself, and a TokenReview creates
/// nothing in the cluster, so sending it again is safe. A 401 or 403 (TVM's own credentials or RBAC) is not
/// transient and is not retried. The whole call, retries included, gets two attempts' time, as STS does.
/// </summary>
internal static partial class TokenReviewResilience
{
    private const int MaxRetries = 2;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    public static TimeSpan Deadline(TvmOptions options) => options.UpstreamTimeout * 2;

    public static DelegatingHandler CreateHandler(TvmOptions options, ILogger logger)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = MaxRetries,
                Delay = FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                // The API server's priority and fairness says when to come back; the deadline still bounds the wait.
                DelayGenerator = retry => ValueTask.FromResult(retry.Outcome.Result?.Headers.RetryAfter?.Delta),
                OnRetry = retry =>
                {
                    LogRetry(logger, retry.AttemptNumber + 1, Describe(retry.Outcome), (long)retry.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.UpstreamTimeout)
            .Build();
        return new ResilientHandler(pipeline);
    }

    private static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    // Only a status code or the kind of failure: a failed request's details may hold the reviewed token.
    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => "no answer in time",
        { Exception: HttpRequestException failure } => failure.HttpRequestError.ToString(),
        { Exception: { } exception } => exception.GetType().Name,
        { Result: { } response } => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
        _ => "unknown",
    };

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "TokenReview attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, int attempt, string reason, long delayMs);

    private sealed class ResilientHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            await pipeline.ExecuteAsync(
                static (state, attemptToken) => new ValueTask<HttpResponseMessage>(state.Handler.SendOnceAsync(state.Request, attemptToken)),
                (Handler: this, Request: request),
                cancellationToken);

        private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.SendAsync(request, cancellationToken);
    }
}
