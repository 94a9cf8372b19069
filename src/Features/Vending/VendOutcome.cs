namespace Tvm.Features.Vending;

/// <summary>
/// Starts the clock of every vend and answers a refused Authorization header before FastEndpoints' own 400 would:
/// the header is the credential, so a bad one is a 401 with a bearer challenge.
/// </summary>
internal sealed class VendOutcomeStart : GlobalPreProcessor<VendTrace>
{
    public override Task PreProcessAsync(IPreProcessorContext context, VendTrace trace, CancellationToken ct)
    {
        return context.HasValidationFailures && !context.HttpContext.ResponseStarted()
            ? VendErrorMapping.WriteProblemAsync(context.HttpContext, VendError.MissingBearerToken, context.ValidationFailures.First().ErrorMessage)
            : Task.CompletedTask;
    }
}

/// <summary>
/// Ends every vend, whatever endpoint ran it: a <see cref="VendException"/> becomes its problem+json answer, and
/// exactly one outcome line is logged with the endpoint, the caller (when known), the status and the time taken.
/// </summary>
internal sealed partial class VendOutcomeEnd(ILogger<VendOutcomeEnd> logger) : GlobalPostProcessor<VendTrace>
{
    public override async Task PostProcessAsync(IPostProcessorContext context, VendTrace trace, CancellationToken ct)
    {
        var http = context.HttpContext;
        var outcome = "Issued";
        if (context.HasExceptionOccurred)
        {
            if (context.ExceptionDispatchInfo.SourceException is VendException failure && !http.ResponseStarted())
            {
                context.MarkExceptionAsHandled();
                outcome = failure.Error.ToString();
                await VendErrorMapping.WriteProblemAsync(http, failure.Error, failure.Message);
            }
            else
            {
                // Left to the exception handler, which answers 500 without details.
                outcome = "Unexpected";
            }
        }
        else if (context.HasValidationFailures)
        {
            outcome = nameof(VendError.MissingBearerToken);
        }

        var status = outcome == "Unexpected" ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
        var level = status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Warning : LogLevel.Information;
        var elapsedMs = Math.Round(Stopwatch.GetElapsedTime(trace.StartedAt).TotalMilliseconds, 2);
        var endpoint = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        LogOutcome(level, trace.Identity?.Namespace ?? "", trace.Identity?.ServiceAccount ?? "", endpoint, status, outcome, elapsedMs);
    }

    [LoggerMessage(EventId = 1, Message = "Vend for {Namespace}/{ServiceAccount} via {Endpoint}: {StatusCode} {Outcome} in {ElapsedMs} ms")]
    private partial void LogOutcome(LogLevel level, string nameSpace, string serviceAccount, string endpoint, int statusCode, string outcome, double elapsedMs);
}
