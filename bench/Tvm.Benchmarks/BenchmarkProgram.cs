using System.Runtime.InteropServices;

namespace Tvm.Benchmarks;

/// <summary>
/// Entry point of <c>bash bench/run.sh</c>. An explicit Main rather than top-level statements: this project
/// references Tvm, whose public <c>Program</c> would clash with a generated one.
/// </summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchmarkOptions.Usage);
            return 0;
        }

        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchmarkOptions.Usage);
            return 2;
        }

        if (!WrkRunner.IsInstalled())
        {
            await Console.Error.WriteLineAsync("wrk is not on PATH. Install it (Debian/Ubuntu: apt-get install wrk), or run bash bench/run.sh, which does.");
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        // Ctrl+C or SIGTERM unwinds through the finally blocks, which stop every server and wrk; anything still
        // running when this process exits regardless is killed then.
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            cancellation.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();

        try
        {
            var results = await new BenchmarkRun(options).ExecuteAsync(cancellation.Token);
            if (results is null)
            {
                return 0;
            }

            var markdown = MarkdownReport.Render(results);
            Console.WriteLine();
            Console.WriteLine(markdown);

            var output = options.OutputPath ?? DefaultOutputPath();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output, markdown);
            // wrk's own reports, for anyone who wants more than p50 and p99.
            var wrkReports = Path.ChangeExtension(output, ".wrk.txt");
            await File.WriteAllTextAsync(wrkReports, string.Concat(
                results.Scenarios.SelectMany(scenario => scenario.Runs.Select((run, index) =>
                    $"== {scenario.Name}, run {index + 1}{Environment.NewLine}{run.Load.Report}{Environment.NewLine}"))));
            Console.WriteLine($"Written to {output} (wrk's reports: {wrkReports})");
            return 0;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException or FormatException)
        {
            // A server that did not start, a wrk that failed, a report that could not be written: the message says which.
            await Console.Error.WriteLineAsync($"The benchmark failed: {e.Message}");
            return 1;
        }
        finally
        {
            ChildProcesses.KillAll();
        }
    }

    /// <summary>bench/results/latest.md of the repository this program was built in (git-ignored).</summary>
    private static string DefaultOutputPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tvm.slnx")))
            {
                return Path.Combine(directory.FullName, "bench", "results", "latest.md");
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "benchmark-results.md");
    }
}
