using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tvm.Benchmarks;

/// <summary>
/// Every process the benchmark starts, so that none outlives it: each is disposed on its normal path, and
/// whatever is left (an exception, Ctrl+C, SIGTERM) is killed when this process exits.
/// </summary>
internal static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    public static void Track(Process process) => Running[process.Id] = process;

    private static void Forget(Process process) => Running.TryRemove(process.Id, out _);

    /// <summary>Kills one process (and its children) and waits for it, ignoring one that has already gone.</summary>
    public static void Kill(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited and reaped already.
        }

        Forget(process);
    }

    public static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            Kill(process);
        }
    }
}
