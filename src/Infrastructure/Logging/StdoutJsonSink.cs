using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// Writes batches of events to stdout through one buffered writer and flushes once per batch. A console sink
/// takes a lock and flushes (a system call) for every line, which at tens of thousands of requests a second
/// costs more than the rest of a cached /vend.
/// </summary>
internal sealed class StdoutJsonSink(ITextFormatter formatter, Stream output) : IBatchedLogEventSink, IDisposable
{
    private readonly StreamWriter _stdout = new(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024)
    {
        AutoFlush = false,
    };

    public Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        foreach (var logEvent in batch)
        {
            formatter.Format(logEvent, _stdout);
        }

        _stdout.Flush();
        return Task.CompletedTask;
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose() => _stdout.Dispose();
}
