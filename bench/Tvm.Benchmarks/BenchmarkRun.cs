using System.Diagnostics;

namespace Tvm.Benchmarks;

/// <summary>
/// The whole benchmark in one pass, on one machine, so that every target is a ratio of numbers taken minutes
/// apart under the same conditions. Order: start-up; the baseline, TVM and TVM without metrics and limits, each
/// warmed up to steady state and then measured in alternating rounds; TVM with many distinct tokens; cache-less
/// TVM; and last a burst against a freshly started TVM.
/// </summary>
internal sealed class BenchmarkRun(BenchmarkOptions options)
{
    // Service accounts (and pod-name prefixes) of the workloads whose tokens the scenarios send.
    private const string SteadyWorkload = "worker";
    private const string RolloutWorkload = "rollout";

    /// <returns>The results, or null after a <c>--cache-hits-only</c> run, which prints its figures and nothing more.</returns>
    public async Task<BenchmarkResults?> ExecuteAsync(CancellationToken cancellationToken)
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

            if (options.CacheHitsOnly)
            {
                await MeasureCacheHitsOnlyAsync(servers, scenarios, workload, cancellationToken);
                return null;
            }

            Console.WriteLine($"Start-up: {options.StartupRuns} runs each, alternating");
            var startup = await StartupBenchmark.MeasureAsync(servers, options.StartupRuns, cancellationToken);
            Console.WriteLine($"  baseline median {Format.Milliseconds(startup.BaselineMedian)}, TVM median {Format.Milliseconds(startup.TvmMedian)}");

            Console.WriteLine("Cache hits");
            var cacheHits = await MeasureCacheHitsAsync(servers, scenarios, workload, cancellationToken);
            var (cacheless, cachelessLoaded) = await MeasureCachelessTvmAsync(servers, scenarios, workload, cancellationToken);

            Console.WriteLine($"Burst: {Format.Count(options.BurstSize)} concurrent first requests against a freshly started TVM");
            var burst = await MeasureBurstAsync(servers, upstreams, workload, cancellationToken);
            Console.WriteLine($"  {Format.Count(burst.Succeeded)}/{Format.Count(burst.Requests)} succeeded, {burst.AssumeRoles} AssumeRole, {Format.Count(burst.TokenReviews)} TokenReviews");

            return new BenchmarkResults(
                startedAt,
                machine,
                options,
                startup,
                cacheHits.Baseline,
                cacheHits.FastEndpointsBaseline,
                cacheHits.CacheHit,
                cacheHits.ManyTokens,
                cacheless,
                cacheHits.WithoutOperations,
                cacheHits.OperationsCost,
                burst,
                cacheHits.Lifetime,
                cacheHits.StdoutLines,
                new MemoryReadings(
                    cacheHits.TvmIdle, cacheHits.TvmAfterCacheHits, cacheHits.TvmAfterLoad, cachelessLoaded, cacheHits.BaselineIdle, cacheHits.BaselineAfterLoad));
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

    /// <summary>
    /// (a), (f), (b) and (e) run side by side: all four servers are started and warmed up to steady state, then
    /// measured in turn, round after round, so that a noisy minute on a shared machine lands on each of them
    /// rather than on one. Every one of them receives byte-identical requests. (c) follows on the TVM of (b).
    /// </summary>
    private async Task<CacheHitResults> MeasureCacheHitsAsync(
        Servers servers, LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        var (baseline, _) = await Servers.StartHealthyAsync(Servers.StartBaseline, cancellationToken);
        await using (baseline)
        {
            var (fastEndpoints, _) = await Servers.StartHealthyAsync(Servers.StartFastEndpointsBaseline, cancellationToken);
            await using var stopFastEndpoints = fastEndpoints;
            var (tvm, _) = await Servers.StartHealthyAsync(servers.StartTvm, cancellationToken);
            await using (tvm)
            {
                var (withoutOperations, _) = await Servers.StartHealthyAsync(servers.StartTvmWithoutOperations, cancellationToken);
                await using (withoutOperations)
                {
                    var baselineIdle = baseline.ResidentMemory();
                    var tvmIdle = tvm.ResidentMemory();
                    List<(string Name, ServerProcess Server)> subjects =
                    [
                        ("(a) baseline (bare ASP.NET Core)", baseline),
                        ("(f) bare FastEndpoints endpoint", fastEndpoints),
                        ("(b) TVM cache hit (one token)", tvm),
                        ("(e) TVM cache hit without metrics and rate limits", withoutOperations),
                    ];
                    await using var compared = options.ComparesTvm
                        ? (await Servers.StartHealthyAsync(servers.StartComparedTvm, cancellationToken)).Server
                        : null;
                    if (compared is not null)
                    {
                        subjects.Add(("(g) TVM " + options.ComparedTvmDescription, compared));
                    }

                    Console.WriteLine("  Warm-up, each server alone");
                    var warmUps = new List<WarmUp>();
                    foreach (var (_, server) in subjects)
                    {
                        warmUps.Add(await scenarios.WarmUpAsync(server, workload.OneTokenScript, cancellationToken));
                    }

                    var runs = subjects.Select(_ => new List<LoadRun>()).ToArray();
                    for (var round = 1; round <= options.Rounds; round++)
                    {
                        Console.WriteLine($"  Round {round} of {options.Rounds}");
                        for (var subject = 0; subject < subjects.Count; subject++)
                        {
                            runs[subject].Add(await scenarios.MeasureAsync(subjects[subject].Server, workload.OneTokenScript, cancellationToken));
                        }
                    }

                    var results = subjects.Select((subject, index) => new ScenarioResult(subject.Name, runs[index], warmUps[index])).ToArray();
                    var operationsCost = await CompareOperationsAsync(servers, scenarios, workload, tvm, withoutOperations, cancellationToken);
                    var changeCost = compared is null ? null : await scenarios.CompareAsync([tvm], [compared], workload.OneTokenScript, cancellationToken);
                    var baselineAfterLoad = baseline.ResidentMemory();
                    var tvmAfterCacheHits = tvm.ResidentMemory();
                    var comparedAfterCacheHits = compared?.ResidentMemory();
                    await withoutOperations.DisposeAsync();
                    await fastEndpoints.DisposeAsync();
                    await baseline.DisposeAsync();

                    if (options.CacheHitsOnly)
                    {
                        if (changeCost is not null)
                        {
                            Console.WriteLine();
                            Console.WriteLine($"this build as shipped against TVM {options.ComparedTvmDescription}: costs {changeCost.Describe()}");
                            Console.WriteLine($"resident memory after the same runs: this build as shipped {tvmAfterCacheHits}, TVM {options.ComparedTvmDescription} {comparedAfterCacheHits}");
                        }

                        return new CacheHitResults(
                            results[0], results[1], results[2], results[3], operationsCost, null!, null!,
                            baselineIdle, baselineAfterLoad, tvmIdle, tvmAfterCacheHits, tvmAfterCacheHits, tvm.StdoutLines);
                    }

                    Console.WriteLine("Many distinct tokens");
                    var lifetime = await CredentialLifetimeProbe.MeasureAsync(tvm.BaseAddress, workload.OneToken, options.SessionDurationSeconds, cancellationToken);
                    var manyTokens = await scenarios.RunAsync("(c) TVM many distinct tokens", tvm, workload.WarmUpTokensScript, workload.ManyTokensScript, alreadyWarm: true, cancellationToken);
                    return new CacheHitResults(
                        results[0], results[1], results[2], results[3], operationsCost, manyTokens, lifetime,
                        baselineIdle, baselineAfterLoad, tvmIdle, tvmAfterCacheHits, tvm.ResidentMemory(), tvm.StdoutLines);
                }
            }
        }
    }

    /// <summary>
    /// What metrics and rate limits cost, from paired runs over several processes of each kind: two processes of one
    /// build differ by a few per cent (code the tiered compiler produced, where the heap landed), as much as the cost
    /// measured, so the pairs cycle through <c>--cost-processes</c> processes of each.
    /// </summary>
    private async Task<PairedComparison> CompareOperationsAsync(
        Servers servers, LoadScenarios scenarios, Workload workload, ServerProcess tvm, ServerProcess withoutOperations, CancellationToken cancellationToken)
    {
        List<ServerProcess> withOperations = [tvm], without = [withoutOperations];
        try
        {
            if (options.CostProcesses > 1)
            {
                Console.WriteLine($"  {options.CostProcesses - 1} more of each TVM for the paired runs, warmed up alone");
            }

            for (var extra = 1; extra < options.CostProcesses; extra++)
            {
                withOperations.Add((await Servers.StartHealthyAsync(servers.StartTvm, cancellationToken)).Server);
                await scenarios.WarmUpAsync(withOperations[^1], workload.OneTokenScript, cancellationToken);
                without.Add((await Servers.StartHealthyAsync(servers.StartTvmWithoutOperations, cancellationToken)).Server);
                await scenarios.WarmUpAsync(without[^1], workload.OneTokenScript, cancellationToken);
            }

            return await scenarios.CompareAsync(withOperations, without, workload.OneTokenScript, cancellationToken);
        }
        finally
        {
            foreach (var extra in withOperations.Skip(1).Concat(without.Skip(1)))
            {
                await extra.DisposeAsync();
            }
        }
    }

    private async Task MeasureCacheHitsOnlyAsync(Servers servers, LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        var results = await MeasureCacheHitsAsync(servers, scenarios, workload, cancellationToken);
        var (baseline, fastEndpoints, tvm) = (results.Baseline, results.FastEndpointsBaseline, results.CacheHit);
        Console.WriteLine();
        Console.WriteLine($"bare FastEndpoints / bare minimal API = {Format.Ratio(fastEndpoints.RequestsPerSecond / baseline.RequestsPerSecond)} throughput, "
            + $"{Format.Ratio(fastEndpoints.CpuPerRequest / baseline.CpuPerRequest)} CPU per request");
        Console.WriteLine($"cache-hit throughput / baseline = {Format.Ratio(tvm.RequestsPerSecond / baseline.RequestsPerSecond)}");
        Console.WriteLine($"cache-hit CPU per request / baseline = {Format.Ratio(tvm.CpuPerRequest / baseline.CpuPerRequest)} "
            + $"({Format.Microseconds(tvm.CpuPerRequest)} against {Format.Microseconds(baseline.CpuPerRequest)})");
        Console.WriteLine($"cost of metrics and rate limits = {results.OperationsCost.Describe()}");
    }

    private static async Task<(ScenarioResult Result, ResidentMemory Loaded)> MeasureCachelessTvmAsync(
        Servers servers, LoadScenarios scenarios, Workload workload, CancellationToken cancellationToken)
    {
        Console.WriteLine("Caches off");
        var (tvm, _) = await Servers.StartHealthyAsync(servers.StartCachelessTvm, cancellationToken);
        await using (tvm)
        {
            var result = await scenarios.RunAsync("(d) cache-less TVM (caches off)", tvm, workload.OneTokenScript, workload.OneTokenScript, alreadyWarm: false, cancellationToken);
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

    private sealed record CacheHitResults(
        ScenarioResult Baseline,
        ScenarioResult FastEndpointsBaseline,
        ScenarioResult CacheHit,
        ScenarioResult WithoutOperations,
        PairedComparison OperationsCost,
        ScenarioResult ManyTokens,
        CredentialLifetime Lifetime,
        ResidentMemory BaselineIdle,
        ResidentMemory BaselineAfterLoad,
        ResidentMemory TvmIdle,
        ResidentMemory TvmAfterCacheHits,
        ResidentMemory TvmAfterLoad,
        long StdoutLines);
}
