using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>
/// A process's resident memory from /proc/PID/status: VmRSS, roughly what the kubelet's memory accounting sees,
/// and its anonymous part (heaps, JIT code, stacks), which unlike mapped assembly files is this process's alone.
/// </summary>
internal sealed record ResidentMemory(long Bytes, long AnonymousBytes)
{
    public const double BytesPerMegabyte = 1024 * 1024;

    public static ResidentMemory Of(int processId)
    {
        long? total = null, anonymous = null;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            // "VmRSS:	  123456 kB"
            total ??= Field(line, "VmRSS:");
            anonymous ??= Field(line, "RssAnon:");
        }

        return new ResidentMemory(
            total ?? throw new InvalidOperationException($"/proc/{processId}/status has no VmRSS line."),
            anonymous ?? 0);
    }

    public override string ToString() => $"{Format.Megabytes(Bytes)} ({Format.Megabytes(AnonymousBytes)} anonymous)";

    private static long? Field(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal)
            ? long.Parse(line[name.Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024
            : null;
}
