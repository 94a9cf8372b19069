using System.Buffers;
using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// One JSON object per event: <c>Timestamp</c> (UTC), <c>Level</c>, <c>Message</c>, <c>TraceId</c>, <c>SpanId</c>,
/// <c>Exception</c> when there is one, then every property. Written straight to the output, because a log line
/// per request is on the service's hot path; the message renders strings without quotes, as people read it.
/// </summary>
public sealed class JsonLinesFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    // What Serilog's JsonValueFormatter.WriteQuotedJsonString escapes: quotes, backslashes and control characters.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        WriteLineStart(logEvent.Timestamp.UtcDateTime, logEvent.Level, output);
        WriteMessage(logEvent, output);
        WriteMessageEnd(logEvent.TraceId, logEvent.SpanId, output);

        if (logEvent.Exception is { } exception)
        {
            output.Write(",\"Exception\":");
            WriteQuoted(exception.ToString(), output);
        }

        // Serilog keeps the properties in a Dictionary: enumerated as one, without boxing an enumerator per line.
        if (logEvent.Properties is Dictionary<string, LogEventPropertyValue> properties)
        {
            foreach (var (name, value) in properties)
            {
                WriteProperty(name, value, output);
            }
        }
        else
        {
            foreach (var (name, value) in logEvent.Properties)
            {
                WriteProperty(name, value, output);
            }
        }

        WriteLineEnd(output);
    }

    /// <summary>Opens a line: <c>{"Timestamp":"…","Level":"…","Message":"</c>; the message follows, escaped.</summary>
    private static void WriteLineStart(DateTime utcTimestamp, LogEventLevel level, TextWriter output)
    {
        output.Write("{\"Timestamp\":\"");
        Span<char> text = stackalloc char[64];
        output.Write(utcTimestamp.TryFormat(text, out var written, "O", CultureInfo.InvariantCulture)
            ? text[..written]
            : utcTimestamp.ToString("O", CultureInfo.InvariantCulture));
        output.Write("\",\"Level\":\"");
        output.Write(LevelName(level));
        output.Write("\",\"Message\":\"");
    }

    /// <summary>Closes the message and writes the ids of the trace and span it was logged in, if any.</summary>
    private static void WriteMessageEnd(ActivityTraceId? traceId, ActivitySpanId? spanId, TextWriter output)
    {
        output.Write('"');
        if (traceId is { } trace)
        {
            output.Write(",\"TraceId\":\"");
            output.Write(trace.ToHexString());
            output.Write('"');
        }

        if (spanId is { } span)
        {
            output.Write(",\"SpanId\":\"");
            output.Write(span.ToHexString());
            output.Write('"');
        }
    }

    private static void WriteLineEnd(TextWriter output) => output.Write("}\n");

    /// <summary>A finite number as its shortest round-trip form, as Serilog writes it; otherwise as Serilog's JSON formatter does.</summary>
    public static void WriteNumber(double value, TextWriter output)
    {
        if (!TryWriteNumber(value, output))
        {
            Values.Format(new ScalarValue(value), output);
        }
    }

    private static void WritePropertyName(string name, TextWriter output)
    {
        output.Write(',');
        WriteQuoted(name, output);
        output.Write(':');
    }

    private static void WriteProperty(string name, LogEventPropertyValue value, TextWriter output)
    {
        WritePropertyName(name, output);
        WriteValue(value, output);
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

    // The message as people read it: strings without quotes, anything else rendered as Serilog renders it; written
    // piece by piece inside the one JSON string, escaped as it goes.
    private static void WriteMessage(LogEvent logEvent, TextWriter output)
    {
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            switch (token)
            {
                case TextToken text:
                    WriteEscaped(text.Text, output);
                    break;
                case PropertyToken property when logEvent.Properties.TryGetValue(property.PropertyName, out var value):
                    switch (value)
                    {
                        case ScalarValue { Value: string plain }:
                            WriteEscaped(plain, output);
                            break;
                        case ScalarValue { Value: int or long or double } number when property.Format is null && TryWriteNumber(number.Value, output):
                            break;
                        default:
                            WriteEscaped(Render(value, property.Format), output);
                            break;
                    }

                    break;
                default:
                    WriteEscaped(token.ToString() ?? "", output);
                    break;
            }
        }
    }

    private static string Render(LogEventPropertyValue value, string? format)
    {
        using var rendered = new StringWriter(CultureInfo.InvariantCulture);
        value.Render(rendered, format, CultureInfo.InvariantCulture);
        return rendered.ToString();
    }

    // Strings and whole numbers, which make up nearly every property on the hot path, skip Serilog's visitor and
    // its character-at-a-time writes; everything else goes through it. The output is the same either way.
    private static void WriteValue(LogEventPropertyValue value, TextWriter output)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                WriteQuoted(text, output);
                break;
            case ScalarValue { Value: int or long } number when TryWriteNumber(number.Value, output):
                break;
            default:
                Values.Format(value, output);
                break;
        }
    }

    private static bool TryWriteNumber<TNumber>(TNumber number, TextWriter output)
    {
        Span<char> digits = stackalloc char[32];
        var written = 0;
        var formatted = number switch
        {
            int whole => whole.TryFormat(digits, out written, provider: CultureInfo.InvariantCulture),
            long whole => whole.TryFormat(digits, out written, provider: CultureInfo.InvariantCulture),
            double real when double.IsFinite(real) => real.TryFormat(digits, out written, provider: CultureInfo.InvariantCulture),
            _ => false,
        };
        if (formatted)
        {
            output.Write(digits[..written]);
        }

        return formatted;
    }

    private static void WriteQuoted(string text, TextWriter output)
    {
        output.Write('"');
        WriteEscaped(text, output);
        output.Write('"');
    }

    public static bool NeedsEscaping(string text) => text.AsSpan().ContainsAny(Escaped);

    /// <summary>Text inside a JSON string.</summary>
    // Nearly every string needs no escaping: one search, then one write. Otherwise Serilog's own escaping, so the
    // line is byte for byte what its JSON formatter writes.
    public static void WriteEscaped(string text, TextWriter output)
    {
        if (!NeedsEscaping(text))
        {
            output.Write(text);
            return;
        }

        using var quoted = new StringWriter(CultureInfo.InvariantCulture);
        JsonValueFormatter.WriteQuotedJsonString(text, quoted);
        var escaped = quoted.GetStringBuilder();
        output.Write(escaped.ToString(1, escaped.Length - 2));
    }
}
