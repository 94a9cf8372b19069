using System.Diagnostics;
using System.Globalization;
using System.Net;

using Tvm.Emulators.Hosting;

namespace Tvm.Benchmarks;

/// <summary>
/// A server under test in its own process (<c>dotnet &lt;dll&gt;</c>), configured only through its environment.
/// Its stdout is read as fast as it comes and thrown away, as a container runtime would read it, so that logging
/// costs the server what it costs in production without the benchmark holding every line in memory.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private readonly Process _process;
    private readonly long _startedAt;
    private readonly OutputDrain _stdout;
    private readonly OutputDrain _stderr;
    private int _disposed;

    private ServerProcess(string name, Process process, int port, long startedAt)
    {
        Name = name;
        _process = process;
        _startedAt = startedAt;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _stdout = OutputDrain.Start(process.StandardOutput.BaseStream);
        _stderr = OutputDrain.Start(process.StandardError.BaseStream);
    }

    public string Name { get; }
    public int Port { get; }
    public Uri BaseAddress { get; }
    public int Id => _process.Id;

    /// <summary>Lines the server has written to stdout so far (TVM: one per request at INFO).</summary>
    public long StdoutLines => _stdout.Lines;

    /// <param name="environment">Variables to set; a null value removes one inherited from this process.</param>
    public static ServerProcess Start(string name, string assemblyPath, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"{assemblyPath} is missing: build bench/Tvm.Benchmarks first.", assemblyPath);
        }

        var port = TvmProcess.FreePort();
        var start = TvmProcess.StartInfoFor(assemblyPath);
        foreach (var (variable, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(variable);
            }
            else
            {
                start.Environment[variable] = value;
            }
        }

        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        var process = new Process { StartInfo = start };
        var startedAt = Stopwatch.GetTimestamp();
        process.Start();
        ChildProcesses.Track(process);
        return new ServerProcess(name, process, port, startedAt);
    }

    /// <summary>
    /// Polls <c>/healthz</c> every few milliseconds until it answers 200, and returns the time from the process
    /// start to that answer: the start-up time an orchestrator's readiness probe would see, at best.
    /// </summary>
    public async Task<TimeSpan> WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(5),
        };
        var healthz = new Uri("healthz", UriKind.Relative);
        while (Stopwatch.GetElapsedTime(_startedAt) < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{Name} exited with code {_process.ExitCode} before it became healthy.{Environment.NewLine}{_stdout.Tail}{_stderr.Tail}");
            }

            try
            {
                using var response = await client.GetAsync(healthz, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetElapsedTime(_startedAt);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new TimeoutException($"{Name} was not healthy within {timeout.TotalSeconds} s.{Environment.NewLine}{_stdout.Tail}{_stderr.Tail}");
    }

    public ResidentMemory ResidentMemory() => Benchmarks.ResidentMemory.Of(_process.Id);

    /// <summary>CPU time the server has used since it started.</summary>
    public TimeSpan CpuTime() => ProcessCpu.Of(_process.Id);

    /// <summary>Stops the server; safe to call again, as an early stop followed by <c>await using</c> does.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        ChildProcesses.Kill(_process);
        await Task.WhenAll(_stdout.Completion, _stderr.Completion).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }
}
