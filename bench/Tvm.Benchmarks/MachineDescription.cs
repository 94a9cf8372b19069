using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tvm.Benchmarks;

/// <summary>The machine the numbers come from: without it, ratios from different runs cannot be compared.</summary>
internal sealed record MachineDescription(string Processors, string CpuModel, string Memory, string DotnetSdk, string Runtime, string OperatingSystem)
{
    public static MachineDescription Describe() => new(
        Output("nproc") ?? Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ProcField("/proc/cpuinfo", "model name") ?? "unknown CPU",
        ProcField("/proc/meminfo", "MemTotal") is { } total ? ToGibibytes(total) : "unknown",
        Output("dotnet", "--version") ?? "unknown",
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription);

    public override string ToString() =>
        $"{Processors} CPUs ({CpuModel}), {Memory} memory, .NET SDK {DotnetSdk} ({Runtime}), {OperatingSystem}";

    private static string? ProcField(string path, string field)
    {
        try
        {
            return File.ReadLines(path)
                .Where(line => line.StartsWith(field, StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    // "24563840 kB" -> "23.4 GiB"
    private static string ToGibibytes(string memTotal) =>
        long.TryParse(memTotal.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var kilobytes)
            ? (kilobytes / 1024.0 / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " GiB"
            : memTotal;

    private static string? Output(string command, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
