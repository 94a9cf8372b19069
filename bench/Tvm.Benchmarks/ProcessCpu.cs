using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>
/// CPU time a process has used so far, user plus system, over all its threads, from <c>/proc/PID/stat</c>.
/// CPU per request is steadier than requests per second on a shared machine: a busy neighbour slows the server
/// down but does not make each request cost more.
/// </summary>
internal static class ProcessCpu
{
    // USER_HZ: the unit of the times in /proc/PID/stat; 100 on every Linux that .NET runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan Of(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        // "PID (comm) state ppid ...": comm may hold spaces or parentheses, so count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "(comm)" (state is 3).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
