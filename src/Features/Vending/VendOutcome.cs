using Serilog.Events;
using Tvm.Infrastructure.Logging;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Features.Vending;

/// <summary>
/// Starts the clock of every vend, marks every answer <c>Cache-Control: no-store</c>, and answers a refused
/// Authorization header before FastEndpoints' own 400 would: the header is the credential, so a bad one is a 401
/// with a bearer challenge.
/// </summary>
internal sealed class VendOutcomeStart : GlobalPreProcessor<VendTrace>
{
    public override Task PreProcessAsync(IPreProcessorContext context, VendTrace trace, CancellationToken ct)
    {
        trace.ClientAddress = context.HttpContext.Connection.RemoteIpAddress;

        // Credentials and refusals alike are for this caller only.
        context.HttpContext.Response.Headers.CacheControl = "no-store";

        // Only failures of the token's own rules; an unreadable JSON body stays FastEndpoints' 400.
        var tokenFailure = context.ValidationFailures.FirstOrDefault(IsAboutTheToken);
        return tokenFailure is not null && !context.HttpContext.ResponseStarted()
            ? VendErrorMapping.WriteProblemAsync(context.HttpContext, VendError.MissingBearerToken, tokenFailure.ErrorMessage)
            : Task.CompletedTask;
    }

    // FastEndpoints names failures after the property, in the serializer's casing.
    private static bool IsAboutTheToken(FluentValidation.Results.ValidationFailure failure) =>
        failure.PropertyName.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || failure.PropertyName.Equals("Token", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Ends every vend, whatever endpoint ran it: a <see cref="VendException"/> becomes its problem+json answer, and
/// exactly one outcome line is logged with the endpoint, the caller (when known), the status and the time taken.
/// </summary>
internal sealed class VendOutcomeEnd(Serilog.ILogger logger, JsonLogLines lines) : GlobalPostProcessor<VendTrace>
{
    private const string InvalidRequest = "InvalidRequest";
    private const string Unexpected = "Unexpected";

    public override async Task PostProcessAsync(IPostProcessorContext context, VendTrace trace, CancellationToken ct)
    {
        var http = context.HttpContext;
        string outcome;
        switch (context.HasExceptionOccurred ? context.ExceptionDispatchInfo.SourceException : null)
        {
            case VendException failure when !http.ResponseStarted():
                context.MarkExceptionAsHandled();
                outcome = failure.Error.ToString();
                await VendErrorMapping.WriteProblemAsync(http, failure.Error, failure.Message, failure.RetryAfter);
                break;
            case BadHttpRequestException refused when !http.ResponseStarted():
                context.MarkExceptionAsHandled();
                outcome = InvalidRequest;
                await VendErrorMapping.WriteRequestProblemAsync(http, refused.StatusCode, refused.Message);
                break;
            case not null:
                // Left to the exception handler, which answers 500 without details.
                outcome = Unexpected;
                break;
            default:
                outcome = !context.HasValidationFailures ? "Issued"
                    : http.Response.StatusCode == StatusCodes.Status401Unauthorized ? nameof(VendError.MissingBearerToken)
                    : InvalidRequest;
                break;
        }

        var status = outcome == Unexpected ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
        var level = status >= 500 ? LogEventLevel.Error : status >= 400 ? LogEventLevel.Warning : LogEventLevel.Information;
        var elapsed = Stopwatch.GetElapsedTime(trace.StartedAt);
        var elapsedMs = Math.Round(elapsed.TotalMilliseconds, 2);
        var endpoint = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        TvmTelemetry.RecordVend(endpoint, outcome, status, elapsed);
        VendOutcomeLine.Write(logger, lines, level, http, trace, endpoint, status, outcome, elapsedMs);
    }
}
