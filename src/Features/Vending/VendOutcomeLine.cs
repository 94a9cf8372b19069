using Microsoft.AspNetCore.Http.Features;
using Serilog.Events;
using Serilog.Parsing;
using Tvm.Infrastructure.Logging;

namespace Tvm.Features.Vending;

/// <summary>
/// The one line each vend logs, built as a Serilog event directly: its template parsed once, its properties made
/// from what the request already holds. Going through Microsoft.Extensions.Logging cost each request a state
/// object, a template-cache lookup, a property factory per value and a walk over the hosting log scope, which the
/// profile put at about 6 % of a cached vend. The line keeps every field, in the same order, that the logging path
/// gives other events: <c>EventId</c>, <c>SourceContext</c>, <c>RequestId</c>, <c>RequestPath</c>, <c>ConnectionId</c>.
/// </summary>
internal static class VendOutcomeLine
{
    private static readonly MessageTemplate Template =
        new MessageTemplateParser().Parse("Vend for {Namespace}/{ServiceAccount} via {Endpoint}: {StatusCode} {Outcome} in {ElapsedMs} ms");

    private static readonly StructureValue EventId =
        new([new LogEventProperty("Id", new ScalarValue(1)), new LogEventProperty("Name", new ScalarValue("LogOutcome"))]);

    private static readonly ScalarValue SourceContext = new(typeof(VendOutcomeEnd).FullName);

    /// <summary>The line's own properties and the few the enrichers add (the hosting scope's): room for all, so the table never grows.</summary>
    private const int PropertyCapacity = 16;

    public static void Write(
        Serilog.ILogger logger, LogEventLevel level, HttpContext http, VendTrace trace, string endpoint, int statusCode, string outcome, double elapsedMs)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }

        // Serilog keeps an event's properties in a Dictionary. Handing it one of the right size, rather than a list
        // of properties it copies into a table grown three times, was a tenth of every cache hit's allocation.
        var properties = new Dictionary<string, LogEventPropertyValue>(PropertyCapacity)
        {
            ["Namespace"] = new ScalarValue(trace.Identity?.Namespace ?? ""),
            ["ServiceAccount"] = new ScalarValue(trace.Identity?.ServiceAccount ?? ""),
            ["Endpoint"] = new ScalarValue(endpoint),
            ["StatusCode"] = new ScalarValue(statusCode),
            ["Outcome"] = new ScalarValue(outcome),
            ["ElapsedMs"] = new ScalarValue(elapsedMs),
            ["EventId"] = EventId,
            [Serilog.Core.Constants.SourceContextPropertyName] = SourceContext,
            [RequestIdEnricher.PropertyName] = new ScalarValue(http.TraceIdentifier),
            ["RequestPath"] = new ScalarValue(http.Request.Path.ToString()),
        };
        if (http.Features.Get<IHttpConnectionFeature>()?.ConnectionId is { Length: > 0 } connectionId)
        {
            properties["ConnectionId"] = new ScalarValue(connectionId);
        }

        var activity = Activity.Current;
        logger.Write(LogEvent.UnstableAssembleFromParts(
            DateTimeOffset.UtcNow, level, exception: null, Template, properties, activity?.TraceId ?? default, activity?.SpanId ?? default));
    }
}
