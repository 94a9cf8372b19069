using Microsoft.AspNetCore.Http.Features;
using Serilog.Events;
using Tvm.Infrastructure.Logging;

namespace Tvm.Features.Vending;

/// <summary>
/// The one line each vend logs: <c>Vend for {Namespace}/{ServiceAccount} via {Endpoint}: {StatusCode} {Outcome} in
/// {ElapsedMs} ms</c>, with every field the logging path gives other events in a request (<c>EventId</c>,
/// <c>SourceContext</c>, <c>RequestId</c>, <c>RequestPath</c>, <c>ConnectionId</c>), in that order. It writes its own
/// JSON, byte for byte what <see cref="JsonLinesFormatter"/> writes for the same event built through Serilog: the
/// request keeps only the values, and the stdout loop formats them. Built as a Serilog event, the line cost a
/// cached vend about 5 µs of its 34 (a property table, a value object per field, boxed numbers, the template walked
/// and every property looked up again at write time).
/// </summary>
internal sealed class VendOutcomeLine : IJsonLogLine
{
    public const string EventName = "LogOutcome";
    private const string EventIdJson = "{\"Id\":1,\"Name\":\"" + EventName + "\"}";
    private static readonly string SourceContext = typeof(VendOutcomeEnd).FullName!;

    private readonly DateTime _timestamp = DateTime.UtcNow;
    private readonly LogEventLevel _level;
    private readonly ActivityTraceId? _traceId;
    private readonly ActivitySpanId? _spanId;
    private readonly string _namespace;
    private readonly string _serviceAccount;
    private readonly string _endpoint;
    private readonly int _statusCode;
    private readonly string _outcome;
    private readonly double _elapsedMs;
    private readonly string _requestId;
    private readonly string _requestPath;
    private readonly string? _connectionId;

    private VendOutcomeLine(LogEventLevel level, HttpContext http, VendTrace trace, string endpoint, int statusCode, string outcome, double elapsedMs)
    {
        _level = level;
        if (Activity.Current is { } activity)
        {
            _traceId = activity.TraceId;
            _spanId = activity.SpanId;
        }

        _namespace = trace.Identity?.Namespace ?? "";
        _serviceAccount = trace.Identity?.ServiceAccount ?? "";
        _endpoint = endpoint;
        _statusCode = statusCode;
        _outcome = outcome;
        _elapsedMs = elapsedMs;
        _requestId = http.TraceIdentifier;
        _requestPath = http.Request.Path.ToString();
        _connectionId = http.Features.Get<IHttpConnectionFeature>()?.ConnectionId is { Length: > 0 } connectionId ? connectionId : null;
    }

    public static void Write(
        Serilog.ILogger logger, JsonLogLines lines, LogEventLevel level, HttpContext http, VendTrace trace, string endpoint, int statusCode, string outcome, double elapsedMs)
    {
        if (logger.IsEnabled(level))
        {
            lines.Write(new VendOutcomeLine(level, http, trace, endpoint, statusCode, outcome, elapsedMs));
        }
    }

    public void WriteJson(TextWriter output)
    {
        JsonLinesFormatter.WriteLineStart(_timestamp, _level, output);
        output.Write("Vend for ");
        JsonLinesFormatter.WriteEscaped(_namespace, output);
        output.Write('/');
        JsonLinesFormatter.WriteEscaped(_serviceAccount, output);
        output.Write(" via ");
        JsonLinesFormatter.WriteEscaped(_endpoint, output);
        output.Write(": ");
        JsonLinesFormatter.WriteNumber(_statusCode, output);
        output.Write(' ');
        JsonLinesFormatter.WriteEscaped(_outcome, output);
        output.Write(" in ");
        JsonLinesFormatter.WriteNumber(_elapsedMs, output);
        output.Write(" ms");
        JsonLinesFormatter.WriteMessageEnd(_traceId, _spanId, output);

        JsonLinesFormatter.WriteProperty("Namespace", _namespace, output);
        JsonLinesFormatter.WriteProperty("ServiceAccount", _serviceAccount, output);
        JsonLinesFormatter.WriteProperty("Endpoint", _endpoint, output);
        JsonLinesFormatter.WriteProperty("StatusCode", _statusCode, output);
        JsonLinesFormatter.WriteProperty("Outcome", _outcome, output);
        JsonLinesFormatter.WriteProperty("ElapsedMs", _elapsedMs, output);
        JsonLinesFormatter.WriteJsonProperty("EventId", EventIdJson, output);
        JsonLinesFormatter.WriteProperty(Serilog.Core.Constants.SourceContextPropertyName, SourceContext, output);
        JsonLinesFormatter.WriteProperty(RequestIdEnricher.PropertyName, _requestId, output);
        JsonLinesFormatter.WriteProperty("RequestPath", _requestPath, output);
        if (_connectionId is not null)
        {
            JsonLinesFormatter.WriteProperty("ConnectionId", _connectionId, output);
        }

        JsonLinesFormatter.WriteLineEnd(output);
    }
}
