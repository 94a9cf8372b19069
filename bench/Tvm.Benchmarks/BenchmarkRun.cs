using System.Diagnostics;

namespace Tvm.Benchmarks;

/// <summary>
/// The whole benchmark in one pass, on one machine, so that every target is a ratio of numbers taken minutes
/// apart under the same conditions. Order: start-up, baseline ceiling, TVM with warm caches (one token, then many
/// distinct tokens), cache-less TVM, and last a burst against a freshly started TVM.
/// </summary>
internal sealed class BenchmarkRun(BenchmarkOptions options)
{
    // Service accounts (and pod-name prefixes) of the workloads whose tokens the scenarios send.
    private const string SteadyWorkload = "worker";
    private const string RolloutWorkload = "rollout";

    public async Task<BenchmarkResults> ExecuteAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineDescription.Describe();
        Console.WriteLine($"Machine: {machine}");

        // Scripts and token files hold live tokens: a private folder, removed at the end.
        var workDirectory = Directory.CreateTempSubdirectory("tvm-bench-");
        try
        {
            await using var upstreams = await Upstreams.StartAsync(options.ReviewLatency, options.StsLatency, cancellationToken);
            var servers = new Servers(upstreams, options);
            var scenarios = new LoadScenarios(new WrkRunner(options), upstreams, options);
            var workload = PrepareWorkload(upstreams, new WrkScripts(workDirectory.FullName));

            Console.WriteLine($"Start-up: {options.StartupRuns} runs each, alternating");
            var startup = await StartupBenchmark.MeasureAsync(servers, options.StartupRuns, cancellationToken);
            Console.WriteLine($"  baseline median {Format.Milliseconds(startup.BaselineMedian)}, TVM median {Format.Milliseconds(startup.TvmMedian)}");

            Console.WriteLine("Load");
            var (baseline, baselineIdle, baselineLoaded) = await MeasureBaselineAsync(scenarios, workload, cancellationToken);
            var shipped = await MeasureShippedTvmAsync(servers, scenarios, workload, cancellationToken);
            var withoutOperations = await MeasureWithoutOperationsAsync(servers, scenarios, workload, cancellationToken);
            var (cacheless, cachelessLoaded) = await MeasureCachelessTvmAsync(servers, scenarios, workload, cancellationToken);

            Console.WriteLine($"Burst: {Format.Count(options.BurstSize)} concurrent first requests against a freshly started TVM");
            var burst = await MeasureBurstAsync(servers, upstreams, workload, cancellationToken);
            Console.WriteLine($"  {Format.Count(burst.Succeeded)}/{Format.Count(burst.Requests)} succeeded, {burst.AssumeRoles} AssumeRole, {Format.Count(burst.TokenReviews)} TokenReviews");

            return new BenchmarkResults(
                startedAt,
                machine,
                options,
                startup,
                baseline,
                shipped.CacheHit,
                shipped.ManyTokens,
                cacheless,
                withoutOperations,
                burst,
                shipped.Lifetime,
                shipped.StdoutLines,
                new MemoryReadings(shipped.Idle, shipped.AfterCacheHits, shipped.AfterLoad, cachelessLoaded, baselineIdle, baselineLoaded));
        }
        finally
        {
            workDirectory.Delete(recursive: true);
        }
    }

    private Workload PrepareWorkload(Upstreams upstreams, WrkScripts scripts)
    {
        Console.WriteLine($"Minting {Format.Count(options.DistinctTokens)} distinct pod tokens (and a few more for warm-up and the burst)");
        var minting = Stopwatch.StartNew();
        var kubernetes = upstreams.Kubernetes;
        var oneToken = WorkloadTokens.MintOne(kubernetes, SteadyWorkload);
        var manyTokens = WorkloadTokens.MintDistinctPods(kubernetes, SteadyWorkload, SteadyWorkload, options.DistinctTokens);
        // Warm-up tokens are separate, so that the measured run starts with none of its tokens reviewed yet.
        var warmUpTokens = WorkloadTokens.MintDistinctPods(kubernetes, SteadyWorkload, "warm-up", Math.Max(1000, options.DistinctTokens / 4));
        var burstTokens = WorkloadTokens.MintDistinctPods(kubernetes, RolloutWorkload, RolloutWorkload, options.BurstSize);
        var workload = new Workload(
            oneToken,
            scripts.OneToken("one-token", oneToken),
            scripts.RotatingTokens("many-tokens", manyTokens, options.Threads),
            scripts.RotatingTokens("warm-up-tokens", warmUpTokens, options.Threads),
            burstTokens);
        Console.WriteLine($"  took {minting.Elapsed.TotalSeconds:0.0} s");
        return workload;
    }

    private static async Task<(ScenarioResult Result, ResidentMemory Idle, ResidentMemory Loaded)> MeasureBaselineAsync(
        LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        var (server, _) = await Servers.StartHealthyAsync(Servers.StartBaseline, cancellationToken);
        await using (server)
        {
            var idle = server.ResidentMemory();
            // Same script as TVM's cache-hit run, so both receive byte-identical requests.
            var result = await scenarios.RunAsync("(a) baseline (bare ASP.NET Core)", server, workload.OneTokenScript, workload.OneTokenScript, cancellationToken);
            return (result, idle, server.ResidentMemory());
        }
    }

    private async Task<ShippedTvmResults> MeasureShippedTvmAsync(
        Servers servers, LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        var (tvm, _) = await Servers.StartHealthyAsync(servers.StartTvm, cancellationToken);
        await using (tvm)
        {
            var idle = tvm.ResidentMemory();
            var cacheHit = await scenarios.RunAsync("(b) TVM cache hit (one token)", tvm, workload.OneTokenScript, workload.OneTokenScript, cancellationToken);
            var afterCacheHits = tvm.ResidentMemory();
            var lifetime = await CredentialLifetimeProbe.MeasureAsync(tvm.BaseAddress, workload.OneToken, options.SessionDurationSeconds, cancellationToken);
            var manyTokens = await scenarios.RunAsync("(c) TVM many distinct tokens", tvm, workload.WarmUpTokensScript, workload.ManyTokensScript, cancellationToken);
            return new ShippedTvmResults(cacheHit, manyTokens, lifetime, idle, afterCacheHits, tvm.ResidentMemory(), tvm.StdoutLines);
        }
    }

    private static async Task<ScenarioResult> MeasureWithoutOperationsAsync(
        Servers servers, LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        var (tvm, _) = await Servers.StartHealthyAsync(servers.StartTvmWithoutOperations, cancellationToken);
        await using (tvm)
        {
            return await scenarios.RunAsync("(e) TVM cache hit without metrics and rate limits", tvm, workload.OneTokenScript, workload.OneTokenScript, cancellationToken);
        }
    }

    private static async Task<(ScenarioResult Result, ResidentMemory Loaded)> MeasureCachelessTvmAsync(
        Servers servers, LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        var (tvm, _) = await Servers.StartHealthyAsync(servers.StartCachelessTvm, cancellationToken);
        await using (tvm)
        {
            var result = await scenarios.RunAsync("(d) cache-less TVM (caches off)", tvm, workload.OneTokenScript, workload.OneTokenScript, cancellationToken);
            return (result, tvm.ResidentMemory());
        }
    }

    private static async Task<BurstResult> MeasureBurstAsync(
        Servers servers, Upstreams upstreams, Workload workload, CancellationToken cancellationToken)
    {
        var (tvm, _) = await Servers.StartHealthyAsync(servers.StartTvm, cancellationToken);
        await using (tvm)
        {
            return await BurstProbe.RunAsync(tvm, upstreams, workload.BurstTokens, cancellationToken);
        }
    }

    /// <summary>The tokens and wrk scripts the scenarios send, prepared before any server starts.</summary>
    private sealed record Workload(
        string OneToken, string OneTokenScript, string ManyTokensScript, string WarmUpTokensScript, IReadOnlyList<string> BurstTokens);

    private sealed record ShippedTvmResults(
        ScenarioResult CacheHit,
        ScenarioResult ManyTokens,
        CredentialLifetime Lifetime,
        ResidentMemory Idle,
        ResidentMemory AfterCacheHits,
        ResidentMemory AfterLoad,
        long StdoutLines);
}
