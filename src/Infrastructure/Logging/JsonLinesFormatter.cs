using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// One JSON object per event: <c>Timestamp</c> (UTC), <c>Level</c>, <c>Message</c>, <c>TraceId</c>, <c>SpanId</c>,
/// <c>Exception</c> when there is one, then every property. Written straight to the output, because a log line
/// per request is on the hot path of /vend; the message renders strings without quotes, as people read it.
/// </summary>
public sealed class JsonLinesFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write("{\"Timestamp\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Write("\",\"Level\":\"");
        output.Write(LevelName(logEvent.Level));
        output.Write("\",\"Message\":");
        JsonValueFormatter.WriteQuotedJsonString(RenderMessage(logEvent), output);

        if (logEvent.TraceId is { } traceId)
        {
            output.Write(",\"TraceId\":\"");
            output.Write(traceId.ToHexString());
            output.Write('"');
        }

        if (logEvent.SpanId is { } spanId)
        {
            output.Write(",\"SpanId\":\"");
            output.Write(spanId.ToHexString());
            output.Write('"');
        }

        if (logEvent.Exception is { } exception)
        {
            output.Write(",\"Exception\":");
            JsonValueFormatter.WriteQuotedJsonString(exception.ToString(), output);
        }

        foreach (var (name, value) in logEvent.Properties)
        {
            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(name, output);
            output.Write(':');
            Values.Format(value, output);
        }

        output.Write("}\n");
    }

    private static string LevelName(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "Verbose",
        LogEventLevel.Debug => "Debug",
        LogEventLevel.Information => "Information",
        LogEventLevel.Warning => "Warning",
        LogEventLevel.Error => "Error",
        _ => "Fatal",
    };

    private static string RenderMessage(LogEvent logEvent)
    {
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            switch (token)
            {
                case TextToken text:
                    message.Write(text.Text);
                    break;
                case PropertyToken property when logEvent.Properties.TryGetValue(property.PropertyName, out var value):
                    if (value is ScalarValue { Value: string plain })
                    {
                        message.Write(plain);
                    }
                    else
                    {
                        value.Render(message, property.Format, CultureInfo.InvariantCulture);
                    }

                    break;
                default:
                    message.Write(token.ToString());
                    break;
            }
        }

        return message.ToString();
    }
}
