using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Events;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// The pieces of a <see cref="JsonLinesFormatter"/> line, written as UTF-8 straight into the output buffer, for a line
/// logged on every request: the fixed parts are byte literals, and only the values are encoded. The bytes are those
/// of the formatter's text encoded as UTF-8.
/// </summary>
public static class Utf8JsonLine
{
    /// <summary>Opens a line: <c>{"Timestamp":"…","Level":"…","Message":"</c>; the message follows, escaped.</summary>
    public static void WriteLineStart(DateTime utcTimestamp, LogEventLevel level, IBufferWriter<byte> output)
    {
        Write("{\"Timestamp\":\""u8, output);
        var timestamp = output.GetSpan(64);
        if (!utcTimestamp.TryFormat(timestamp, out var written, "O", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A round-trip timestamp is longer than 64 bytes.");
        }

        output.Advance(written);
        Write("\",\"Level\":\""u8, output);
        Write(LevelName(level), output);
        Write("\",\"Message\":\""u8, output);
    }

    /// <summary>Closes the message and writes the ids of the trace and span it was logged in, if any.</summary>
    public static void WriteMessageEnd(ActivityTraceId? traceId, ActivitySpanId? spanId, IBufferWriter<byte> output)
    {
        Write("\""u8, output);
        if (traceId is { } trace)
        {
            Write(",\"TraceId\":\""u8, output);
            WriteAscii(trace.ToHexString(), output);
            Write("\""u8, output);
        }

        if (spanId is { } span)
        {
            Write(",\"SpanId\":\""u8, output);
            WriteAscii(span.ToHexString(), output);
            Write("\""u8, output);
        }
    }

    /// <param name="name">The property's name, which needs no escaping.</param>
    public static void WriteProperty(ReadOnlySpan<byte> name, string value, IBufferWriter<byte> output)
    {
        WritePropertyName(name, output);
        Write("\""u8, output);
        WriteEscaped(value, output);
        Write("\""u8, output);
    }

    /// <param name="name">The property's name, which needs no escaping.</param>
    public static void WriteProperty(ReadOnlySpan<byte> name, int value, IBufferWriter<byte> output)
    {
        WritePropertyName(name, output);
        WriteNumber(value, output);
    }

    /// <param name="name">The property's name, which needs no escaping.</param>
    public static void WriteProperty(ReadOnlySpan<byte> name, double value, IBufferWriter<byte> output)
    {
        WritePropertyName(name, output);
        WriteNumber(value, output);
    }

    public static void WriteLineEnd(IBufferWriter<byte> output) => Write("}\n"u8, output);

    public static void WriteNumber(int value, IBufferWriter<byte> output)
    {
        var digits = output.GetSpan(16);
        value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>A finite number as its shortest round-trip form; otherwise as <see cref="JsonLinesFormatter"/> writes it.</summary>
    public static void WriteNumber(double value, IBufferWriter<byte> output)
    {
        if (double.IsFinite(value) && value.TryFormat(output.GetSpan(32), out var written, provider: CultureInfo.InvariantCulture))
        {
            output.Advance(written);
            return;
        }

        using var text = new StringWriter(CultureInfo.InvariantCulture);
        JsonLinesFormatter.WriteNumber(value, text);
        WriteText(text.ToString(), output);
    }

    /// <summary>Text inside a JSON string, escaped as <see cref="JsonLinesFormatter"/> escapes it.</summary>
    public static void WriteEscaped(string text, IBufferWriter<byte> output)
    {
        if (!JsonLinesFormatter.NeedsEscaping(text))
        {
            WriteText(text, output);
            return;
        }

        using var escaped = new StringWriter(CultureInfo.InvariantCulture);
        JsonLinesFormatter.WriteEscaped(text, escaped);
        WriteText(escaped.ToString(), output);
    }

    public static void Write(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        utf8.CopyTo(output.GetSpan(utf8.Length));
        output.Advance(utf8.Length);
    }

    private static void WritePropertyName(ReadOnlySpan<byte> name, IBufferWriter<byte> output)
    {
        Write(",\""u8, output);
        Write(name, output);
        Write("\":"u8, output);
    }

    private static void WriteText(string text, IBufferWriter<byte> output)
    {
        var written = Encoding.UTF8.GetBytes(text, output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        output.Advance(written);
    }

    private static void WriteAscii(string hex, IBufferWriter<byte> output)
    {
        var written = Encoding.ASCII.GetBytes(hex, output.GetSpan(hex.Length));
        output.Advance(written);
    }

    private static ReadOnlySpan<byte> LevelName(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "Verbose"u8,
        LogEventLevel.Debug => "Debug"u8,
        LogEventLevel.Information => "Information"u8,
        LogEventLevel.Warning => "Warning"u8,
        LogEventLevel.Error => "Error"u8,
        _ => "Fatal"u8,
    };
}
