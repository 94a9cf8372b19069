using System.Text;

namespace Tvm.Benchmarks;

/// <summary>
/// Reads a child's output stream to its end in large blocks, counting lines and keeping only the last few
/// kilobytes for error messages. Never blocks the writer for long and never grows with the output.
/// </summary>
internal sealed class OutputDrain
{
    private const int BlockSize = 64 * 1024;
    private const int TailSize = 4 * 1024;

    private readonly Lock _tailLock = new();
    private readonly byte[] _tail = new byte[TailSize];
    private int _tailLength;
    private long _lines;

    private OutputDrain()
    {
    }

    public long Lines => Interlocked.Read(ref _lines);

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>The last few kilobytes written, for a start-up failure report.</summary>
    public string Tail
    {
        get
        {
            lock (_tailLock)
            {
                return Encoding.UTF8.GetString(_tail, 0, _tailLength);
            }
        }
    }

    public static OutputDrain Start(Stream stream)
    {
        var drain = new OutputDrain();
        drain.Completion = Task.Run(() => drain.ReadToEndAsync(stream));
        return drain;
    }

    private async Task ReadToEndAsync(Stream stream)
    {
        var block = new byte[BlockSize];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(block)) > 0)
            {
                var chunk = block.AsSpan(0, read);
                Interlocked.Add(ref _lines, chunk.Count((byte)'\n'));
                KeepTail(chunk);
            }
        }
        catch (IOException)
        {
            // The process was killed mid-write.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while reading.
        }
    }

    private void KeepTail(ReadOnlySpan<byte> chunk)
    {
        lock (_tailLock)
        {
            if (chunk.Length >= TailSize)
            {
                chunk[^TailSize..].CopyTo(_tail);
                _tailLength = TailSize;
                return;
            }

            var keep = Math.Min(_tailLength, TailSize - chunk.Length);
            _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
            chunk.CopyTo(_tail.AsSpan(keep));
            _tailLength = keep + chunk.Length;
        }
    }
}
