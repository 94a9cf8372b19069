using System.Security.Cryptography;

namespace Tvm.Infrastructure;

/// <summary>
/// Calls back when the content of a set of files changes, by polling a hash of their bytes. Polling rather than
/// file-system events, because Kubernetes updates ConfigMap and Secret volumes by swapping a <c>..data</c> symlink
/// in the parent folder, which events on the files themselves miss.
/// </summary>
public sealed class FileContentWatcher : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private readonly string[] _paths;
    private readonly Action _changed;
    private readonly Action<Exception> _unreadable;
    private readonly ITimer _timer;
    private byte[]? _seen;
    private int _polling;

    /// <param name="changed">Called (on a timer thread, never twice at once) after the content differs from the last seen.</param>
    /// <param name="unreadable">Called when the files cannot be read; the next poll tries again.</param>
    public FileContentWatcher(IEnumerable<string> paths, TimeProvider clock, TimeSpan interval, Action changed, Action<Exception> unreadable)
    {
        _paths = [.. paths];
        _changed = changed;
        _unreadable = unreadable;
        try
        {
            _seen = Hash();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _seen = null;
        }

        _timer = clock.CreateTimer(_ => Poll(), null, interval, interval);
    }

    public void Dispose() => _timer.Dispose();

    private void Poll()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            var hash = Hash();
            if (_seen is not null && hash.AsSpan().SequenceEqual(_seen))
            {
                return;
            }

            _seen = hash;
            _changed();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _unreadable(e);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private byte[] Hash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in _paths)
        {
            hash.AppendData(File.ReadAllBytes(path));
        }

        return hash.GetHashAndReset();
    }
}
