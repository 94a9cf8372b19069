using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Infrastructure.Sts;

/// <summary>Calls STS AssumeRole and translates its failures into the contract's errors.</summary>
internal sealed class StsCredentialIssuer(IAmazonSecurityTokenService sts, IOptions<TvmOptions> options) : ICredentialIssuer, IDisposable
{
    private readonly UpstreamGate _gate = new("assume_role");

    private static readonly HashSet<string> ThrottlingCodes =
        ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled"];

    // One retry must fit inside the caller's wait, so the whole call may take two attempts' time.
    private readonly TimeSpan _deadline = options.Value.UpstreamTimeout * 2;

    /// <summary>The account field of an ARN (<c>arn:partition:service:region:account:resource</c>).</summary>
    private static string? AccountOf(string? arn) =>
        arn?.Split(':') is { Length: >= 6 } parts && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) ? parts[4] : null;

    public async ValueTask<AwsCredentials> IssueAsync(CredentialRequest request, CancellationToken cancellationToken)
    {
        using var activity = TvmTelemetry.Source.StartActivity("AssumeRole");
        activity?.SetTag(TvmTelemetry.RoleSessionNameTag, request.RoleSessionName);

        using var lease = await _gate.EnterAsync(cancellationToken)
            ?? throw new AssumeRoleException(AssumeRoleFailure.Unavailable, $"TVM is already waiting on {UpstreamGate.DefaultMaxInFlight + UpstreamGate.DefaultMaxQueued} AssumeRole calls; retry shortly.");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_deadline);
        var started = Stopwatch.GetTimestamp();
        var result = "failure";
        try
        {
            var response = await sts.AssumeRoleAsync(new AssumeRoleRequest
            {
                RoleArn = request.RoleArn,
                RoleSessionName = request.RoleSessionName,
                Policy = request.Policy.Json,
                DurationSeconds = (int)request.Duration.TotalSeconds,
                // Left unset rather than empty: the SDK would send an empty list as a bare "Tags" parameter.
                Tags = request.Tags.Count == 0 ? null : request.Tags.Select(tag => new Tag { Key = tag.Key, Value = tag.Value }).ToList(),
            }, deadline.Token);

            var credentials = response.Credentials;
            result = "success";
            return new AwsCredentials(
                credentials.AccessKeyId,
                credentials.SecretAccessKey,
                credentials.SessionToken,
                new DateTimeOffset(DateTime.SpecifyKind(credentials.Expiration ?? DateTime.UtcNow, DateTimeKind.Utc)),
                AccountOf(response.AssumedRoleUser?.Arn) ?? AccountOf(request.RoleArn) ?? "");
        }
        catch (AmazonServiceException e) when (ThrottlingCodes.Contains(e.ErrorCode ?? "") || e.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new AssumeRoleException(AssumeRoleFailure.Throttled, $"STS throttled AssumeRole ({e.ErrorCode}); retry shortly.");
        }
        catch (AmazonServiceException e) when ((int)e.StatusCode >= 500)
        {
            throw new AssumeRoleException(AssumeRoleFailure.Unavailable, $"STS answered {(int)e.StatusCode} ({e.ErrorCode}).");
        }
        catch (AmazonServiceException e) when (e.StatusCode != 0)
        {
            throw new AssumeRoleException(AssumeRoleFailure.Refused, $"STS refused AssumeRole: {e.ErrorCode}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AssumeRoleException(AssumeRoleFailure.Unavailable, $"STS did not answer within {_deadline.TotalSeconds:0.#} s.");
        }
        catch (AmazonClientException)
        {
            // Raised before any answer from STS, most often because the SDK's default chain found no credentials.
            throw new AssumeRoleException(AssumeRoleFailure.Unavailable,
                "The call to STS failed before STS answered: check that TVM has AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, IRSA or an instance profile) and can reach STS.");
        }
        catch (HttpRequestException e)
        {
            throw new AssumeRoleException(AssumeRoleFailure.Unavailable, $"STS could not be reached ({e.HttpRequestError}).");
        }
        finally
        {
            TvmTelemetry.RecordUpstream("assume_role", result, Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _gate.Dispose();
}
