using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// Queues events and writes them to stdout from one background loop, as UTF-8 gathered in one buffer that is written
/// once per round. A console sink takes a lock and flushes (a system call) for every line, which at tens of
/// thousands of requests a second costs more than the rest of a cached credential request. Serilog's batching sink avoids that
/// but wakes its loop for nearly every event once the queue has run dry, which under load is a thread-pool hand-off
/// per request. This loop writes what has queued up and then rests for <see cref="WriteInterval"/>: under load one
/// wake-up per interval, while a line logged when nothing else is queued goes out at once. Serilog events and
/// <see cref="IJsonLogLine"/>s share the one queue, so lines keep the order they were logged in.
/// </summary>
internal sealed class StdoutJsonSink : ILogEventSink, IJsonLogLineSink, IDisposable
{
    /// <summary>
    /// How long a line can wait for the next round of writes. Short, because a round formats everything that queued
    /// meanwhile on one thread: at 40,000 requests a second, 10 ms is about 400 lines and 1 ms of a core, a stall
    /// that requests waiting behind it would see in their tail latency were the rounds much longer.
    /// </summary>
    public static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Events waiting to be written, at most: a stalled stdout must not take the service's memory with it. Events
    /// past the limit are dropped; losing log lines is better than blocking requests or running out of memory.
    /// </summary>
    public const int QueueLimit = 100_000;

    /// <summary>Written to stdout as soon as a round has gathered this much, so a long round holds no more.</summary>
    private const int BufferSize = 64 * 1024;

    private readonly ITextFormatter _formatter;
    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(BufferSize);
    private readonly StringWriter _eventText = new(CultureInfo.InvariantCulture);
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writeLoop;
    private int _queued;
    private int _disposed;

    public StdoutJsonSink(ITextFormatter formatter, Stream output)
    {
        _formatter = formatter;
        _output = output;
        using (ExecutionContext.SuppressFlow())
        {
            _writeLoop = Task.Run(WriteLoopAsync);
        }
    }

    public void Emit(LogEvent logEvent) => Enqueue(logEvent);

    public void Emit(IJsonLogLine line) => Enqueue(line);

    private void Enqueue(object line)
    {
        if (Interlocked.Increment(ref _queued) > QueueLimit || !_queue.Writer.TryWrite(line))
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var line))
                {
                    Interlocked.Decrement(ref _queued);
                    if (line is LogEvent logEvent)
                    {
                        _formatter.Format(logEvent, _eventText);
                        Encode(_eventText.GetStringBuilder());
                    }
                    else
                    {
                        ((IJsonLogLine)line).WriteJson(_buffer);
                    }

                    if (_buffer.WrittenCount >= BufferSize)
                    {
                        WriteBuffer();
                    }
                }

                WriteBuffer();
                _output.Flush();
            }
            catch (Exception e)
            {
                // Stdout closed or failing: lose these lines rather than the service.
                SelfLog.WriteLine("Writing log lines to stdout failed: {0}", e);
                _buffer.ResetWrittenCount();
                _eventText.GetStringBuilder().Clear();
                _encoder.Reset();
            }

            if (!reader.Completion.IsCompleted)
            {
                await Task.WhenAny(Task.Delay(WriteInterval), reader.Completion).ConfigureAwait(false);
            }
        }
    }

    private void Encode(StringBuilder text)
    {
        foreach (var chunk in text.GetChunks())
        {
            var written = _encoder.GetBytes(chunk.Span, _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length)), flush: false);
            _buffer.Advance(written);
        }

        _buffer.Advance(_encoder.GetBytes([], _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(0)), flush: true));
        text.Clear();
    }

    private void WriteBuffer()
    {
        try
        {
            _output.Write(_buffer.WrittenSpan);
        }
        finally
        {
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>
    /// Writes every event emitted before this call, then releases stdout. The logger and the container both own the
    /// sink, so both may dispose it: the second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _writeLoop.GetAwaiter().GetResult();
        try
        {
            _output.Dispose();
        }
        catch (IOException e)
        {
            SelfLog.WriteLine("Closing stdout failed: {0}", e);
        }
    }
}
