using System.Buffers;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;
using Tvm.Infrastructure.Logging;

namespace Tvm.Tests.Infrastructure.Logging;

/// <summary>The stdout sink: nothing emitted is lost or reordered, and a stalled or broken stdout never stalls TVM.</summary>
public sealed class StdoutJsonSinkTests
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse("Line {N} of writer {Writer}");

    private static LogEvent Line(int writer, int n) => new(
        DateTimeOffset.UtcNow, LogEventLevel.Information, null, Template,
        [new LogEventProperty("N", new ScalarValue(n)), new LogEventProperty("Writer", new ScalarValue(writer))]);

    private static List<JsonElement> Lines(byte[] written) =>
        [.. Encoding.UTF8.GetString(written).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    [Fact]
    public async Task Every_event_and_line_emitted_before_dispose_is_written_once_in_the_order_each_writer_emitted_it()
    {
        const int Writers = 4, PerWriter = 5_000;
        var output = new MemoryStream();
        var sink = new StdoutJsonSink(LoggingExtensions.CreateJsonFormatter(), output);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            for (var n = 0; n < PerWriter; n++)
            {
                if (n % 3 == 0)
                {
                    sink.Emit(new OwnLine(writer, n));
                }
                else
                {
                    sink.Emit(Line(writer, n));
                }
            }
        }, TestContext.Current.CancellationToken)));
        sink.Dispose();
        sink.Dispose();

        var lines = Lines(output.ToArray());
        lines.Should().HaveCount(Writers * PerWriter);
        foreach (var writer in lines.GroupBy(line => line.GetProperty("Writer").GetInt32()))
        {
            writer.Select(line => line.GetProperty("N").GetInt32()).Should().Equal(Enumerable.Range(0, PerWriter));
        }
    }

    [Fact]
    public async Task A_line_logged_while_nothing_else_is_queued_is_written_without_waiting_for_more()
    {
        using var output = new ObservedStream();
        using var sink = new StdoutJsonSink(LoggingExtensions.CreateJsonFormatter(), output);

        sink.Emit(Line(0, 1));

        var written = await output.Flushed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Lines(written).Should().ContainSingle().Which.GetProperty("N").GetInt32().Should().Be(1);
    }

    [Fact]
    public void Text_beyond_ascii_is_written_as_utf8_whichever_way_the_line_was_built_and_however_long_the_round()
    {
        const string Awkward = "é日😀\"\\\n";
        var template = new MessageTemplateParser().Parse("Named {Name}");
        var output = new MemoryStream();
        var sink = new StdoutJsonSink(LoggingExtensions.CreateJsonFormatter(), output);

        // Far more than one buffer's worth, so lines also straddle the writes made within a round.
        for (var n = 0; n < 2_000; n++)
        {
            var name = string.Concat(Enumerable.Repeat(Awkward, n % 50));
            sink.Emit(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, template, [new LogEventProperty("Name", new ScalarValue(name))]));
            sink.Emit(new OwnLine(0, n));
        }

        sink.Dispose();

        var written = output.ToArray();
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var lines = Lines(written);
        strict.GetString(written).Should().NotContain("\uFFFD");
        lines.Should().HaveCount(4_000);
        lines.Where(line => line.TryGetProperty("Name", out _)).Select(line => line.GetProperty("Name").GetString())
            .Should().Equal(Enumerable.Range(0, 2_000).Select(n => string.Concat(Enumerable.Repeat(Awkward, n % 50))));
    }

    [Fact]
    public void A_stalled_stdout_neither_blocks_the_emitters_nor_queues_more_than_the_limit()
    {
        var emitted = StdoutJsonSink.QueueLimit + 50_000;
        using var output = new ObservedStream { Stalled = true };
        var sink = new StdoutJsonSink(LoggingExtensions.CreateJsonFormatter(), output);

        for (var n = 0; n < emitted; n++)
        {
            sink.Emit(Line(0, n));
        }

        output.Stalled = false;
        sink.Dispose();
        var written = Lines(output.Written).Select(line => line.GetProperty("N").GetInt32()).ToList();
        written.Should().HaveCountGreaterThanOrEqualTo(StdoutJsonSink.QueueLimit, "a full queue is written once stdout drains")
            .And.HaveCountLessThan(emitted, "events past the limit are dropped instead of held")
            .And.BeInAscendingOrder();
    }

    [Fact]
    public void A_failing_stdout_costs_the_lines_and_nothing_else()
    {
        using var output = new ObservedStream { Failing = true };
        var sink = new StdoutJsonSink(LoggingExtensions.CreateJsonFormatter(), output);

        for (var n = 0; n < 1_000; n++)
        {
            sink.Emit(Line(0, n));
        }

        var dispose = () => sink.Dispose();
        dispose.Should().NotThrow();
    }

    /// <summary>A line that writes its own JSON, queued beside the Serilog events.</summary>
    private sealed class OwnLine(int writer, int n) : IJsonLogLine
    {
        public void WriteJson(IBufferWriter<byte> output) => output.Write(Encoding.UTF8.GetBytes($"{{\"N\":{n},\"Writer\":{writer}}}\n"));
    }

    /// <summary>A stdout that can stall (writes block until released) or fail (writes throw), and says when it was flushed.</summary>
    private sealed class ObservedStream : Stream
    {
        private readonly MemoryStream _written = new();
        private readonly ManualResetEventSlim _flowing = new(initialState: true);
        private readonly TaskCompletionSource<byte[]> _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Stalled
        {
            get => !_flowing.IsSet;
            set
            {
                if (value)
                {
                    _flowing.Reset();
                }
                else
                {
                    _flowing.Set();
                }
            }
        }

        public bool Failing { get; init; }

        public Task<byte[]> Flushed => _flushed.Task;

        public byte[] Written
        {
            get
            {
                lock (_written)
                {
                    return _written.ToArray();
                }
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _flowing.Wait();
            if (Failing)
            {
                throw new IOException("Broken pipe");
            }

            lock (_written)
            {
                _written.Write(buffer, offset, count);
            }
        }

        public override void Flush()
        {
            if (!Failing && Written is { Length: > 0 } written)
            {
                _flushed.TrySetResult(written);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _flowing.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
