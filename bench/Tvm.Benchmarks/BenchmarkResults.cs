namespace Tvm.Benchmarks;

/// <summary>Resident memory of each server, sampled right after its load scenarios.</summary>
internal sealed record MemoryReadings(
    ResidentMemory TvmIdle,
    ResidentMemory TvmAfterCacheHits,
    ResidentMemory TvmAfterLoad, ResidentMemory CachelessAfterLoad, ResidentMemory BaselineIdle, ResidentMemory BaselineAfterLoad);

/// <summary>Everything one run measured, and the contract's targets computed from it as ratios within the run.</summary>
internal sealed record BenchmarkResults(
    DateTimeOffset StartedAt,
    MachineDescription Machine,
    BenchmarkOptions Options,
    StartupResult Startup,
    ScenarioResult Baseline,
    ScenarioResult FastEndpointsBaseline,
    ScenarioResult CacheHit,
    ScenarioResult ManyTokens,
    ScenarioResult Cacheless,
    ScenarioResult WithoutOperations,
    PairedComparison OperationsComparison,
    BurstResult Burst,
    CredentialLifetime Lifetime,
    long TvmStdoutLines,
    MemoryReadings Memory)
{
    public const double ThroughputTarget = 0.7;
    public const double LatencyTarget = 2;
    public const double StartupTarget = 2;
    public const double CachelessAim = 100;
    public const long MemoryTargetBytes = 150L * 1024 * 1024;

    public const double OperationsCostTarget = 0.05;

    public IReadOnlyList<ScenarioResult> Scenarios => [Baseline, CacheHit, ManyTokens, Cacheless, WithoutOperations, FastEndpointsBaseline];

    /// <summary>What FastEndpoints alone costs over a minimal API: the part of TVM's cost no change to TVM can remove.</summary>
    public double FastEndpointsVsBaseline => FastEndpointsBaseline.RequestsPerSecond / Baseline.RequestsPerSecond;
    public double FastEndpointsCpuVsBaseline => FastEndpointsBaseline.CpuPerRequest / Baseline.CpuPerRequest;

    /// <summary>The share of cache-hit throughput that metrics and rate limiting cost, from the paired runs.</summary>
    public double OperationsCost => OperationsComparison.ThroughputCost;

    /// <summary>What metrics and rate limiting add to each cache hit's CPU time, as a share of it without them.</summary>
    public double OperationsCpuCost => OperationsComparison.CpuCost;

    public double CacheHitThroughputVsBaseline => CacheHit.RequestsPerSecond / Baseline.RequestsPerSecond;
    public double CacheHitCpuVsBaseline => CacheHit.CpuPerRequest / Baseline.CpuPerRequest;
    public double CacheHitP99VsBaseline => CacheHit.P99 / Baseline.P99;
    public double StartupVsBaseline => Startup.Ratio;
    public double CacheHitVsCacheless => CacheHit.RequestsPerSecond / Cacheless.RequestsPerSecond;

    /// <summary>The most any server could reach against the cache-less rate on this machine and load.</summary>
    public double BaselineVsCacheless => Baseline.RequestsPerSecond / Cacheless.RequestsPerSecond;

    /// <summary>The ratio lines, in a fixed form that scripts and people can compare across runs.</summary>
    public IReadOnlyList<string> RatioLines =>
    [
        $"cache-hit throughput / baseline = {Format.Ratio(CacheHitThroughputVsBaseline)} (target >= {Format.Ratio(ThroughputTarget)})",
        $"cache-hit CPU per request / baseline = {Format.Ratio(CacheHitCpuVsBaseline)}",
        $"bare FastEndpoints / baseline = {Format.Ratio(FastEndpointsVsBaseline)} throughput, {Format.Ratio(FastEndpointsCpuVsBaseline)} CPU per request",
        $"cache-hit p99 / baseline p99 = {Format.Ratio(CacheHitP99VsBaseline)} (target <= {LatencyTarget})",
        $"startup TVM / baseline = {Format.Ratio(StartupVsBaseline)} (target <= {StartupTarget})",
        $"cache-hit throughput / cache-less throughput = {Format.Ratio(CacheHitVsCacheless)} (aim {CachelessAim})",
        $"cost of metrics and rate limits = {OperationsComparison.Describe()} (target < {OperationsCostTarget:P0} of throughput)",
    ];

    public IReadOnlyList<TargetCheck> Targets =>
    [
        new("Cache-hit throughput ≥ 0.7 × baseline", $"{Format.Ratio(CacheHitThroughputVsBaseline)} ×", CacheHitThroughputVsBaseline >= ThroughputTarget),
        new("Cache-hit p99 at saturation ≤ 2 × baseline p99", $"{Format.Ratio(CacheHitP99VsBaseline)} ×", CacheHitP99VsBaseline <= LatencyTarget),
        new("Start-up to first 200 from /healthz ≤ 2 × baseline", $"{Format.Ratio(StartupVsBaseline)} ×", StartupVsBaseline <= StartupTarget),
        new(
            "Metrics and rate limits cost < 5 % of cache-hit throughput",
            $"{OperationsCost:P1}, quartiles {OperationsComparison.ThroughputCostLowerQuartile:P1} to {OperationsComparison.ThroughputCostUpperQuartile:P1} (CPU per request {OperationsCpuCost:+0.0 %;-0.0 %})",
            OperationsCost < OperationsCostTarget),
        new(
            $"{Format.Count(Burst.Requests)} concurrent first requests of one service account → exactly 1 AssumeRole",
            $"{Burst.AssumeRoles} AssumeRole, {Format.Count(Burst.Succeeded)}/{Format.Count(Burst.Requests)} succeeded",
            Burst.AssumeRoles == 1 && Burst.Succeeded == Burst.Requests),
        new(
            "Credentials keep ≥ half of SESSION_DURATION_SECONDS",
            $"{Lifetime.Remaining.TotalSeconds:0} s of {Lifetime.SessionDurationSeconds} s left ({Lifetime.FractionOfSession:P0})",
            Lifetime.KeepsHalf),
        new("Resident memory after sustained load ≤ 150 MB", Format.Megabytes(Memory.TvmAfterLoad.Bytes), Memory.TvmAfterLoad.Bytes <= MemoryTargetBytes),
        new("Cache-hit throughput vs cache-less (aim 100 ×)", $"{Format.Ratio(CacheHitVsCacheless)} ×", CacheHitVsCacheless >= CachelessAim),
    ];
}

internal sealed record TargetCheck(string Target, string Measured, bool Met);
