using System.Buffers;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Tvm.Infrastructure.Logging;

namespace Tvm.Tests.Support;

/// <summary>Every log event TVM writes, formatted exactly as it goes to stdout.</summary>
public sealed class LogCapture : ILogEventSink, IJsonLogLineSink
{
    /// <summary>
    /// Every field of the outcome line, as the contract lists them. A server with real connections adds
    /// <c>ConnectionId</c>; the in-memory test server has none.
    /// </summary>
    public static readonly string[] OutcomeLineFields =
    [
        "Timestamp", "Level", "Message", "TraceId", "SpanId", "Namespace", "ServiceAccount", "Endpoint", "StatusCode", "Outcome", "ElapsedMs",
        "EventId", "SourceContext", "RequestId", "RequestPath",
    ];

    private readonly Serilog.Formatting.ITextFormatter _formatter = LoggingExtensions.CreateJsonFormatter();
    private readonly List<string> _lines = [];

    public void Emit(LogEvent logEvent)
    {
        using var writer = new StringWriter();
        _formatter.Format(logEvent, writer);
        Add(writer);
    }

    public void Emit(IJsonLogLine line)
    {
        var written = new ArrayBufferWriter<byte>();
        line.WriteJson(written);
        Add(Encoding.UTF8.GetString(written.WrittenSpan));
    }

    private void Add(StringWriter writer) => Add(writer.ToString());

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line.TrimEnd('\n'));
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IReadOnlyList<JsonElement> Events => [.. Lines.Select(line => JsonDocument.Parse(line).RootElement)];

    /// <summary>The outcome lines of /vend, newest last.</summary>
    public IReadOnlyList<JsonElement> VendOutcomes =>
        [.. Events.Where(e => e.TryGetProperty("EventId", out var id) && id.GetProperty("Name").GetString() == "LogOutcome")];
}
