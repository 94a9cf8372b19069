using System.Diagnostics;
using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>
/// Runs wrk (closed loop: each connection sends its next request as soon as the previous one is answered, so
/// the server runs at saturation). Each run ends by itself after its duration; a wrk that does not is killed.
/// </summary>
internal sealed class WrkRunner(BenchmarkOptions options)
{
    // A request slower than this counts as a timeout: about the longest a TVM upstream call may take.
    private const string RequestTimeout = "10s";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "wrk")));

    public async Task<WrkResult> RunAsync(Uri baseAddress, string script, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var start = new ProcessStartInfo("wrk")
        {
            ArgumentList =
            {
                "-t", options.Threads.ToString(CultureInfo.InvariantCulture),
                "-c", options.Connections.ToString(CultureInfo.InvariantCulture),
                "-d", string.Create(CultureInfo.InvariantCulture, $"{(int)Math.Ceiling(duration.TotalSeconds)}s"),
                "--timeout", RequestTimeout,
                "--latency",
                "-s", script,
                new Uri(baseAddress, "vend").ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        ChildProcesses.Track(process);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(duration + Grace);
            await process.WaitForExitAsync(deadline.Token);
            var report = await stdout;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk exited with code {process.ExitCode}: {await stderr}{report}");
            }

            return WrkResult.Parse(report);
        }
        finally
        {
            ChildProcesses.Kill(process);
        }
    }
}
