using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tvm.Emulators.Hosting;

/// <summary>
/// TVM as its own process (<c>dotnet Tvm.dll</c>), the way an operator runs it: configured only through
/// environment variables, observed only through HTTP, stdout and its exit code.
/// </summary>
public sealed class TvmProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private TvmProcess(Process process, int port, bool https)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}/");
    }

    public int Port { get; }
    public Uri BaseAddress { get; }
    public IReadOnlyList<string> StdoutLines => [.. _stdout];
    public IReadOnlyList<string> StderrLines => [.. _stderr];
    public bool HasExited => _process.HasExited;
    public int Id => _process.Id;

    /// <param name="tvmAssemblyPath">Tvm.dll, next to its runtimeconfig and deps files, or a published self-contained Tvm executable.</param>
    /// <param name="environment">Variables to set (a null value removes one inherited from this process).</param>
    /// <param name="onStdoutLine">Called for each line TVM writes to stdout, e.g. to show its logs.</param>
    /// <param name="launcher">A command and its arguments that TVM's own command line is appended to, and which must end by
    /// executing it in place (so that the process is TVM's): for instance, one that gives TVM a namespace of its own.</param>
    public static TvmProcess Start(
        string tvmAssemblyPath, IReadOnlyDictionary<string, string?> environment, Action<string>? onStdoutLine = null, IReadOnlyList<string>? launcher = null)
    {
        var port = environment.TryGetValue("PORT", out var configured) && int.TryParse(configured, out var fixedPort) && fixedPort is > 0 and < 65536
            ? fixedPort
            : FreePort();
        var start = StartInfoFor(tvmAssemblyPath);
        if (launcher is { Count: > 0 })
        {
            string[] tvmCommandLine = [start.FileName, .. start.ArgumentList];
            start.FileName = launcher[0];
            start.ArgumentList.Clear();
            foreach (var argument in launcher.Skip(1).Concat(tvmCommandLine))
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_NOLOGO"] = "1";
        // A PORT given by the caller, even an invalid one, wins over the free port chosen here.
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start };
        var https = environment.TryGetValue("TLS_CERT_PATH", out var certificate) && !string.IsNullOrEmpty(certificate);
        var tvm = new TvmProcess(process, port, https);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } data)
            {
                tvm._stdout.Enqueue(data);
                onStdoutLine?.Invoke(data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } data)
            {
                tvm._stderr.Enqueue(data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tvm;
    }

    /// <summary>Polls <c>/healthz</c> until it answers 200; fails early if the process exits.</summary>
    /// <param name="handler">For HTTPS, a handler that trusts TVM's CA; it is left undisposed.</param>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        using var client = new HttpClient(handler ?? new HttpClientHandler(), disposeHandler: handler is null) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"TVM exited with code {_process.ExitCode} before it became healthy:{Environment.NewLine}{string.Join(Environment.NewLine, StdoutLines.Concat(StderrLines))}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first answer; poll again.
            }

            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"TVM was not healthy within {timeout.TotalSeconds} s.");
    }

    /// <summary>Waits for a line on stdout; TVM writes its logs in batches, up to 100 ms after the event.</summary>
    public async Task<bool> WaitForStdoutLineAsync(Func<string, bool> matches, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (!_stdout.Any(matches))
        {
            if (waited.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return true;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as Kubernetes sends it, then the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        return await WaitForExitAsync(timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    /// <summary>
    /// How to start a .NET server with its output captured: a .dll runs as <c>dotnet &lt;dll&gt;</c>, a published
    /// self-contained executable (as the image ships TVM) runs directly, in its own directory either way.
    /// </summary>
    public static ProcessStartInfo StartInfoFor(string assemblyOrExecutablePath)
    {
        var start = assemblyOrExecutablePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo("dotnet") { ArgumentList = { assemblyOrExecutablePath } }
            : new ProcessStartInfo(assemblyOrExecutablePath);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = Path.GetDirectoryName(assemblyOrExecutablePath)!;
        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
