using Microsoft.AspNetCore.Mvc;
using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Features.VendCredentials;

/// <remarks>
/// The handler is resolved per request rather than injected: FastEndpoints builds each endpoint once while
/// mapping routes, and the handler's clients (kubeconfig, AWS SDK) are too slow to build on the way to the
/// first 200 from /healthz. <see cref="VendCredentialsWarmUp"/> builds them off the request path instead.
/// </remarks>
internal sealed partial class VendCredentialsEndpoint(VendCredentialsWarmUp warmUp, ILogger<VendCredentialsEndpoint> logger)
    : Endpoint<VendCredentialsRequest, VendCredentialsResponse>
{
    public const int MaxBodyBytes = 64 * 1024;

    public override void Configure()
    {
        Post("/vend");
        AllowAnonymous();
        DontThrowIfValidationFails();

        // The body is ignored; nothing large is worth reading.
        Options(endpoint => endpoint.WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)));
        Description(endpoint => endpoint
            .ClearDefaultAccepts()
            .Produces<VendCredentialsResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
        Summary(summary =>
        {
            summary.Summary = "Exchange a Kubernetes service-account token for short-lived AWS credentials";
            summary.Description = "Send the token as 'Authorization: Bearer <token>' with an empty body. The credentials are scoped by the session policy rendered for the token's namespace and service account.";
        });
    }

    public override async Task HandleAsync(VendCredentialsRequest req, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        WorkloadIdentity? identity = null;
        VendError? error = null;
        try
        {
            if (ValidationFailed)
            {
                throw new VendException(VendError.MissingBearerToken, ValidationFailures[0].ErrorMessage);
            }

            await warmUp.WhenFinishedAsync();
            var handler = Resolve<VendCredentialsHandler>();
            var credentials = await handler.HandleAsync(req.Token, found => identity = found, ct);
            HttpContext.Response.Headers.CacheControl = "no-store";
            await Send.OkAsync(VendCredentialsResponse.From(credentials), ct);
        }
        catch (VendException failure)
        {
            error = failure.Error;
            await VendErrorMapping.WriteAsync(HttpContext, failure);
        }
        finally
        {
            var status = HttpContext.Response.StatusCode;
            var level = status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Warning : LogLevel.Information;
            var elapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
            var ns = identity?.Namespace ?? "";
            var serviceAccount = identity?.ServiceAccount ?? "";
            var outcome = error?.ToString() ?? "Issued";
            LogOutcome(level, ns, serviceAccount, status, outcome, elapsedMs);
        }
    }

    [LoggerMessage(EventId = 1, Message = "Vend for {Namespace}/{ServiceAccount}: {StatusCode} {Outcome} in {ElapsedMs} ms")]
    private partial void LogOutcome(LogLevel level, string nameSpace, string serviceAccount, int statusCode, string outcome, double elapsedMs);
}
