using System.Globalization;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Parsing;
using Tvm.Infrastructure.Logging;

namespace Tvm.Tests.Infrastructure.Logging;

/// <summary>
/// The stdout formatter takes shortcuts for strings and numbers; these tests hold it to the line Serilog's own JSON
/// value formatter would produce, over hand-picked events and thousands of random ones.
/// </summary>
public sealed class JsonLinesFormatterTests
{
    private static readonly MessageTemplateParser Parser = new();
    private static readonly JsonValueFormatter SerilogValues = new(typeTagName: null);

    [Fact]
    public void The_outcome_line_is_what_serilogs_formatter_writes()
    {
        var logEvent = Event(
            "Vend for {Namespace}/{ServiceAccount} via {Endpoint}: {StatusCode} {Outcome} in {ElapsedMs} ms",
            ("Namespace", new ScalarValue("api")),
            ("ServiceAccount", new ScalarValue("web")),
            ("Endpoint", new ScalarValue("/vend")),
            ("StatusCode", new ScalarValue(200)),
            ("Outcome", new ScalarValue("Issued")),
            ("ElapsedMs", new ScalarValue(0.37)),
            ("EventId", new StructureValue([new LogEventProperty("Id", new ScalarValue(1)), new LogEventProperty("Name", new ScalarValue("LogOutcome"))])));

        var line = Format(logEvent);

        line.Should().Be(Reference(logEvent));
        line.Should().Contain("\"Message\":\"Vend for api/web via /vend: 200 Issued in 0.37 ms\"");
        line.Should().EndWith("\"EventId\":{\"Id\":1,\"Name\":\"LogOutcome\"}}\n");
    }

    [Theory]
    [InlineData("quote\" and backslash\\")]
    [InlineData("line\nbreak\r\ttab\u0000nul\u001f")]
    [InlineData("non-ASCII: é ü 日本 \U0001F600 and a lone \ud800 surrogate")]
    [InlineData("")]
    public void Strings_that_need_escaping_are_escaped_as_serilog_does(string text)
    {
        var logEvent = Event("Saw {Text} and {Number}", ("Text", new ScalarValue(text)), ("Number", new ScalarValue(-42L)));

        Format(logEvent).Should().Be(Reference(logEvent));
    }

    [Fact]
    public void Thousands_of_random_events_format_exactly_as_the_reference_does()
    {
        var random = new Random(20261130);
        for (var i = 0; i < 5_000; i++)
        {
            var logEvent = RandomEvent(random);
            var line = Format(logEvent);

            line.Should().Be(Reference(logEvent), "event {0} must format as Serilog's formatter would", i);
            using var parsed = JsonDocument.Parse(line);
            parsed.RootElement.GetProperty("Level").GetString().Should().Be(logEvent.Level.ToString());
        }
    }

    private static string Format(LogEvent logEvent)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        new JsonLinesFormatter().Format(logEvent, output);
        return output.ToString();
    }

    /// <summary>The line as it was written before any shortcut: the message rendered into a string, then every value through Serilog.</summary>
    private static string Reference(LogEvent logEvent)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        output.Write("{\"Timestamp\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Write("\",\"Level\":\"");
        output.Write(logEvent.Level.ToString());
        output.Write("\",\"Message\":");
        using (var message = new StringWriter(CultureInfo.InvariantCulture))
        {
            foreach (var token in logEvent.MessageTemplate.Tokens)
            {
                if (token is TextToken text)
                {
                    message.Write(text.Text);
                }
                else if (token is PropertyToken property && logEvent.Properties.TryGetValue(property.PropertyName, out var value))
                {
                    if (value is ScalarValue { Value: string plain })
                    {
                        message.Write(plain);
                    }
                    else
                    {
                        value.Render(message, property.Format, CultureInfo.InvariantCulture);
                    }
                }
                else
                {
                    message.Write(token.ToString());
                }
            }

            JsonValueFormatter.WriteQuotedJsonString(message.ToString(), output);
        }

        if (logEvent.TraceId is { } traceId)
        {
            output.Write($",\"TraceId\":\"{traceId.ToHexString()}\"");
        }

        if (logEvent.SpanId is { } spanId)
        {
            output.Write($",\"SpanId\":\"{spanId.ToHexString()}\"");
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
            SerilogValues.Format(value, output);
        }

        output.Write("}\n");
        return output.ToString();
    }

    private static LogEvent Event(string template, params (string Name, LogEventPropertyValue Value)[] properties) => new(
        new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(1)),
        LogEventLevel.Information,
        exception: null,
        Parser.Parse(template),
        properties.Select(property => new LogEventProperty(property.Name, property.Value)),
        ActivityTraceId.CreateRandom(),
        ActivitySpanId.CreateRandom());

    private static LogEvent RandomEvent(Random random)
    {
        var properties = new Dictionary<string, LogEventPropertyValue>(StringComparer.Ordinal);
        var template = new System.Text.StringBuilder();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            var name = "P" + random.Next(0, 8).ToString(CultureInfo.InvariantCulture);
            properties[name] = RandomValue(random, depth: 0);
            template.Append(RandomText(random).Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
            template.Append('{').Append(random.Next(4) == 0 ? name + ":0.0" : name).Append('}');
        }

        // A property the template names but the event lacks, which renders as the token itself.
        template.Append(random.Next(5) == 0 ? "{Missing}" : "");
        return new LogEvent(
            DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, DateTimeOffset.MaxValue.Ticks / 2)),
            (LogEventLevel)random.Next(0, 6),
            random.Next(10) == 0 ? new InvalidOperationException(RandomText(random)) : null,
            Parser.Parse(template.ToString()),
            properties.Select(property => new LogEventProperty(property.Key, property.Value)),
            random.Next(3) == 0 ? default : ActivityTraceId.CreateRandom(),
            random.Next(3) == 0 ? default : ActivitySpanId.CreateRandom());
    }

    private static LogEventPropertyValue RandomValue(Random random, int depth) => random.Next(depth < 2 ? 12 : 10) switch
    {
        0 or 1 or 2 => new ScalarValue(RandomText(random)),
        3 => new ScalarValue(random.Next(int.MinValue, int.MaxValue)),
        4 => new ScalarValue(random.NextInt64(long.MinValue, long.MaxValue)),
        5 => new ScalarValue(random.Next(6) switch
        {
            0 => double.NaN,
            1 => double.PositiveInfinity,
            2 => -0.0,
            3 => 1e300 * random.NextDouble(),
            _ => Math.Round((random.NextDouble() - 0.5) * 10_000, random.Next(0, 6)),
        }),
        6 => new ScalarValue(random.Next(2) == 0),
        7 => new ScalarValue(null),
        8 => new ScalarValue((decimal)random.NextDouble()),
        9 => new ScalarValue(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next())),
        10 => new SequenceValue(Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth + 1))),
        _ => new StructureValue(Enumerable.Range(0, random.Next(0, 4))
            .Select(i => new LogEventProperty("F" + i.ToString(CultureInfo.InvariantCulture), RandomValue(random, depth + 1)))),
    };

    private static string RandomText(Random random)
    {
        const string Plain = "abcXYZ019 /:.-_@";
        const string Special = "\"\\\n\r\t\u0000\u0001\u001f\u007f\u0085\u2028é日";
        var text = new char[random.Next(0, 24)];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = random.Next(5) == 0 ? Special[random.Next(Special.Length)] : Plain[random.Next(Plain.Length)];
        }

        return new string(text);
    }
}
