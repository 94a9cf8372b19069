using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>Starts the servers under test from this program's output folder, where the project references put them.</summary>
internal sealed class Servers(Upstreams upstreams, BenchmarkOptions options)
{
    /// <summary>Audience TVM requires of incoming tokens, as a real deployment would configure it.</summary>
    public const string Audience = "tvm";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Inherited variables that would change what is measured: an exporter, other listening addresses, a non-production environment.
    private static readonly string[] Inherited =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_EXPORTER", "OTEL_SERVICE_NAME", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
        "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "DOTNET_gcServer", "DOTNET_GCHeapHardLimit",
        "TOKEN_REVIEW_CACHE_SECONDS", "CREDENTIAL_CACHE_SIZE", "LOG_LEVEL", "METRICS_PORT", "RATE_LIMIT_PER_IDENTITY",
        "RATE_LIMIT_BURST", "AUTH_FAILURES_PER_MINUTE", "SHUTDOWN_DELAY_SECONDS", "BASELINE_FRAMEWORK",
    ];

    private static string BaselineAssembly => Path.Combine(AppContext.BaseDirectory, "Tvm.Baseline.dll");
    /// <summary>
    /// The TVM under test and how the report names it: bench/run.sh points TVM_EXECUTABLE at the image's publish, started
    /// directly; TVM_ASSEMBLY names a Tvm.dll instead; otherwise the build output.
    /// </summary>
    private static readonly (string Path, string Description) TvmUnderTest =
        Environment.GetEnvironmentVariable("TVM_EXECUTABLE") is { Length: > 0 } executable
            ? (executable, "the image's publish (self-contained, trimmed, composite ReadyToRun), started directly")
            : Environment.GetEnvironmentVariable("TVM_ASSEMBLY") is { Length: > 0 } published
                ? (published, "a published Tvm.dll")
                : (Path.Combine(AppContext.BaseDirectory, "Tvm.dll"), "JIT-only build output");

    private static string TvmAssembly => TvmUnderTest.Path;

    /// <summary>Which build of TVM the benchmark starts, for the report.</summary>
    public static string TvmBuild => TvmUnderTest.Description;

    /// <summary>Starts the server and returns it once its /healthz answers 200, with the time that took.</summary>
    public static async Task<(ServerProcess Server, TimeSpan StartUp)> StartHealthyAsync(
        Func<ServerProcess> start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var server = start();
        try
        {
            var startUp = await server.WaitUntilHealthyAsync(StartTimeout, cancellationToken);
            return (server, startUp);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public static ServerProcess StartBaseline() => ServerProcess.Start("baseline", BaselineAssembly, Cleared());

    /// <summary>The baseline's answer from a FastEndpoints endpoint: what the framework TVM is built on costs by itself.</summary>
    public static ServerProcess StartFastEndpointsBaseline()
    {
        var environment = Cleared();
        environment["BASELINE_FRAMEWORK"] = "fastendpoints";
        return ServerProcess.Start("FastEndpoints baseline", BaselineAssembly, environment);
    }

    /// <summary>
    /// TVM as shipped: INFO logs to stdout (one line per request), tracing instrumented, both caches on their defaults,
    /// Prometheus metrics on their port, and both rate limiters on at rates the load never reaches, so that their
    /// cost is in the figures without their refusals.
    /// </summary>
    public ServerProcess StartTvm() => ServerProcess.Start("TVM", TvmAssembly, TvmEnvironment(cachesOff: false, operations: true));

    /// <summary>
    /// Another build of TVM (<c>--compare-tvm</c>), or this one with settings of its own (<c>--compare-tvm-env</c>),
    /// otherwise configured as shipped: to measure a change or a setting against TVM as it is.
    /// </summary>
    public ServerProcess StartComparedTvm()
    {
        var environment = TvmEnvironment(cachesOff: false, operations: true);
        foreach (var (variable, value) in options.ComparedTvmEnvironment)
        {
            environment[variable] = value;
        }

        return ServerProcess.Start("compared TVM", options.ComparedTvmAssembly ?? TvmAssembly, environment);
    }

    /// <summary>The same TVM with both caches turned off: every request a TokenReview and an AssumeRole.</summary>
    public ServerProcess StartCachelessTvm() => ServerProcess.Start("cache-less TVM", TvmAssembly, TvmEnvironment(cachesOff: true, operations: true));

    /// <summary>The shipped TVM without metrics and rate limiters, to put a figure on what they cost.</summary>
    public ServerProcess StartTvmWithoutOperations() => ServerProcess.Start("TVM without metrics and limits", TvmAssembly, TvmEnvironment(cachesOff: false, operations: false));

    private Dictionary<string, string?> TvmEnvironment(bool cachesOff, bool operations)
    {
        var environment = Cleared();
        environment["AWS_ROLE_ARN"] = upstreams.Sts.RoleArn;
        environment["AWS_REGION"] = upstreams.Sts.Region;
        environment["AWS_ENDPOINT_URL_STS"] = upstreams.Sts.Endpoint.ToString();
        environment["AWS_ACCESS_KEY_ID"] = upstreams.Sts.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = upstreams.Sts.SecretAccessKey;
        environment["AWS_SESSION_TOKEN"] = null;
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        environment["KUBECONFIG"] = upstreams.Kubernetes.KubeconfigPath;
        environment["POLICY_TEMPLATE_PATH"] = Path.Combine(AppContext.BaseDirectory, "policy.json");
        environment["TOKEN_AUDIENCES"] = Audience;
        environment["SESSION_DURATION_SECONDS"] = options.SessionDurationSeconds.ToString(CultureInfo.InvariantCulture);
        environment["LOG_LEVEL"] = "INFO";
        environment["SHUTDOWN_DELAY_SECONDS"] = "0";
        environment["METRICS_PORT"] = operations ? Tvm.Emulators.Hosting.TvmProcess.FreePort().ToString(CultureInfo.InvariantCulture) : "0";
        environment["RATE_LIMIT_PER_IDENTITY"] = operations ? "10000000" : "0";
        environment["RATE_LIMIT_BURST"] = "10000000";
        environment["AUTH_FAILURES_PER_MINUTE"] = operations ? "1000000" : "0";
        foreach (var (variable, value) in ImageRuntimeSettings.Read())
        {
            environment[variable] = value;
        }

        if (cachesOff)
        {
            environment["TOKEN_REVIEW_CACHE_SECONDS"] = "0";
            environment["CREDENTIAL_CACHE_SIZE"] = "0";
        }

        foreach (var (variable, value) in options.TvmEnvironment)
        {
            environment[variable] = value;
        }

        return environment;
    }

    private static Dictionary<string, string?> Cleared()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal) { ["DOTNET_NOLOGO"] = "1" };
        foreach (var variable in Inherited)
        {
            environment[variable] = null;
        }

        return environment;
    }
}
