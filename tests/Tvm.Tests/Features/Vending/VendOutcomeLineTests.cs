using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serilog.Events;
using Serilog.Parsing;
using Tvm.Features.Vending;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Logging;

namespace Tvm.Tests.Features.Vending;

/// <summary>
/// The outcome line writes its own JSON; these tests hold it, byte for byte, to the line the stdout formatter writes
/// for the same event built through Serilog, which is how the line was made before.
/// </summary>
public sealed class VendOutcomeLineTests
{
    private static readonly MessageTemplate Template =
        new MessageTemplateParser().Parse("Vend for {Namespace}/{ServiceAccount} via {Endpoint}: {StatusCode} {Outcome} in {ElapsedMs} ms");

    private static readonly string[] Outcomes = ["Issued", "InvalidToken", "RateLimited", "StsRefused", "InvalidRequest", "Unexpected"];
    private static readonly string[] Endpoints = ["/vend", "/v1/credentials", "/container/credentials"];

    [Fact]
    public void Thousands_of_random_outcomes_are_written_exactly_as_the_serilog_event_was()
    {
        var random = new Random(20261130);
        using var source = new ActivitySource("Tvm.Tests.OutcomeLine");
        using var listener = new ActivityListener
        {
            ShouldListenTo = candidate => candidate == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        for (var i = 0; i < 3_000; i++)
        {
            using var activity = random.Next(4) == 0 ? null : source.StartActivity("vend");
            var http = new DefaultHttpContext { TraceIdentifier = RandomText(random, 1, 40) };
            http.Request.Path = Endpoints[random.Next(Endpoints.Length)];
            if (random.Next(3) != 0)
            {
                http.Features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { ConnectionId = RandomText(random, 0, 14) });
            }

            var trace = new VendTrace { Identity = random.Next(5) == 0 ? null : new WorkloadIdentity(RandomText(random, 1, 30), RandomText(random, 1, 30)) };
            var level = (LogEventLevel)random.Next(2, 5);
            var endpoint = Endpoints[random.Next(Endpoints.Length)];
            var status = random.Next(200, 600);
            var outcome = Outcomes[random.Next(Outcomes.Length)];
            var elapsedMs = Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-3, 5)), 2);

            var line = Written(level, http, trace, endpoint, status, outcome, elapsedMs);

            line.Should().Be(AsSerilogEvent(line, level, http, trace, endpoint, status, outcome, elapsedMs), "outcome {0} must be the line Serilog's event gave", i);
            using var parsed = JsonDocument.Parse(line);
            parsed.RootElement.GetProperty("EventId").GetProperty("Name").GetString().Should().Be(VendOutcomeLine.EventName);
        }
    }

    [Fact]
    public void A_level_the_logger_does_not_write_is_not_handed_to_the_sinks()
    {
        var sink = new CollectingSink();
        var logger = new Serilog.LoggerConfiguration().MinimumLevel.Warning().CreateLogger();
        var http = new DefaultHttpContext { TraceIdentifier = "id" };

        VendOutcomeLine.Write(logger, new JsonLogLines([sink]), LogEventLevel.Information, http, new VendTrace(), "/vend", 200, "Issued", 1);
        VendOutcomeLine.Write(logger, new JsonLogLines([sink]), LogEventLevel.Warning, http, new VendTrace(), "/vend", 401, "InvalidToken", 1);

        sink.Lines.Should().ContainSingle();
    }

    private static string Written(LogEventLevel level, HttpContext http, VendTrace trace, string endpoint, int status, string outcome, double elapsedMs)
    {
        var sink = new CollectingSink();
        var logger = new Serilog.LoggerConfiguration().MinimumLevel.Verbose().CreateLogger();
        VendOutcomeLine.Write(logger, new JsonLogLines([sink]), level, http, trace, endpoint, status, outcome, elapsedMs);
        var line = sink.Lines.Should().ContainSingle().Subject;
        var output = new ArrayBufferWriter<byte>();
        line.WriteJson(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The event as it used to be built, at the moment the line records, formatted by the stdout formatter.</summary>
    private static string AsSerilogEvent(
        string line, LogEventLevel level, HttpContext http, VendTrace trace, string endpoint, int status, string outcome, double elapsedMs)
    {
        using var parsed = JsonDocument.Parse(line);
        var timestamp = DateTimeOffset.Parse(parsed.RootElement.GetProperty("Timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        var properties = new Dictionary<string, LogEventPropertyValue>
        {
            ["Namespace"] = new ScalarValue(trace.Identity?.Namespace ?? ""),
            ["ServiceAccount"] = new ScalarValue(trace.Identity?.ServiceAccount ?? ""),
            ["Endpoint"] = new ScalarValue(endpoint),
            ["StatusCode"] = new ScalarValue(status),
            ["Outcome"] = new ScalarValue(outcome),
            ["ElapsedMs"] = new ScalarValue(elapsedMs),
            ["EventId"] = new StructureValue([new LogEventProperty("Id", new ScalarValue(1)), new LogEventProperty("Name", new ScalarValue("LogOutcome"))]),
            ["SourceContext"] = new ScalarValue("Tvm.Features.Vending.VendOutcomeEnd"),
            ["RequestId"] = new ScalarValue(http.TraceIdentifier),
            ["RequestPath"] = new ScalarValue(http.Request.Path.ToString()),
        };
        if (http.Features.Get<IHttpConnectionFeature>()?.ConnectionId is { Length: > 0 } connectionId)
        {
            properties["ConnectionId"] = new ScalarValue(connectionId);
        }

        var activity = Activity.Current;
        var logEvent = LogEvent.UnstableAssembleFromParts(
            timestamp, level, null, Template, properties, activity?.TraceId ?? default, activity?.SpanId ?? default);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        new JsonLinesFormatter().Format(logEvent, output);
        return output.ToString();
    }

    /// <summary>Mostly plain names, sometimes the characters JSON must escape or non-ASCII text (lone surrogates, which no valid line holds, are the formatter tests' business).</summary>
    private static string RandomText(Random random, int minLength, int maxLength)
    {
        const string Plain = "abcdefghijklmnopqrstuvwxyz0123456789-.";
        const string Awkward = "\"\\\n\r\t\u0000\u001f\u007fé日ü/ :{}";
        var awkward = random.Next(4) == 0;
        var length = random.Next(minLength, maxLength + 1);
        var text = new char[length];
        for (var i = 0; i < length; i++)
        {
            text[i] = awkward && random.Next(3) == 0 ? Awkward[random.Next(Awkward.Length)] : Plain[random.Next(Plain.Length)];
        }

        return new string(text);
    }

    private sealed class CollectingSink : IJsonLogLineSink
    {
        public List<IJsonLogLine> Lines { get; } = [];

        public void Emit(IJsonLogLine line) => Lines.Add(line);
    }
}
