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

    private static readonly LogEventProperty EventId = new(
        "EventId", new StructureValue([new LogEventProperty("Id", new ScalarValue(1)), new LogEventProperty("Name", new ScalarValue("LogOutcome"))]));

    private static readonly LogEventProperty SourceContext = new(Serilog.Core.Constants.SourceContextPropertyName, new ScalarValue(typeof(VendOutcomeEnd).FullName));

    public static void Write(
        Serilog.ILogger logger, LogEventLevel level, HttpContext http, VendTrace trace, string endpoint, int statusCode, string outcome, double elapsedMs)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var connectionId = http.Connection.Id;
        var properties = new LogEventProperty[string.IsNullOrEmpty(connectionId) ? 10 : 11];
        properties[0] = new LogEventProperty("Namespace", new ScalarValue(trace.Identity?.Namespace ?? ""));
        properties[1] = new LogEventProperty("ServiceAccount", new ScalarValue(trace.Identity?.ServiceAccount ?? ""));
        properties[2] = new LogEventProperty("Endpoint", new ScalarValue(endpoint));
        properties[3] = new LogEventProperty("StatusCode", new ScalarValue(statusCode));
        properties[4] = new LogEventProperty("Outcome", new ScalarValue(outcome));
        properties[5] = new LogEventProperty("ElapsedMs", new ScalarValue(elapsedMs));
        properties[6] = EventId;
        properties[7] = SourceContext;
        properties[8] = new LogEventProperty(RequestIdEnricher.PropertyName, new ScalarValue(http.TraceIdentifier));
        properties[9] = new LogEventProperty("RequestPath", new ScalarValue(http.Request.Path.ToString()));
        if (properties.Length == 11)
        {
            properties[10] = new LogEventProperty("ConnectionId", new ScalarValue(connectionId));
        }

        var activity = Activity.Current;
        logger.Write(new LogEvent(DateTimeOffset.UtcNow, level, exception: null, Template, properties, activity?.TraceId ?? default, activity?.SpanId ?? default));
    }
}
