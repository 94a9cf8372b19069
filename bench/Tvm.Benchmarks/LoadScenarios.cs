using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>One measured wrk run, with the server's CPU time and what the emulated upstreams were asked during it.</summary>
internal sealed record LoadRun(WrkResult Load, TimeSpan ServerCpu, int TokenReviews, int AssumeRoles)
{
    /// <summary>Server CPU time (user + system, all threads) per completed request.</summary>
    public TimeSpan CpuPerRequest => Load.Requests == 0 ? TimeSpan.Zero : ServerCpu / Load.Requests;
}

/// <summary>How a server was brought to steady state: the rate of each warm-up window, and whether it settled.</summary>
internal sealed record WarmUp(IReadOnlyList<double> WindowRates, TimeSpan Window, long Requests, bool Settled)
{
    public TimeSpan Duration => Window * WindowRates.Count;

    public string Describe() => WindowRates.Count == 0
        ? "no warm-up"
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{Duration.TotalSeconds:0} s warm-up ({string.Join(" → ", WindowRates.Select(Format.Rate))} req/s){(Settled ? "" : ", not settled")}");
}

/// <summary>
/// A load scenario's measured runs (one, or one per round when scenarios alternate) and its warm-up. Figures are
/// the median over the runs: alternating rounds spread a noisy neighbour over every scenario instead of one.
/// </summary>
internal sealed record ScenarioResult(string Name, IReadOnlyList<LoadRun> Runs, WarmUp WarmUp)
{
    public double RequestsPerSecond => Median(Runs.Select(run => run.Load.RequestsPerSecond));
    public TimeSpan P50 => TimeSpan.FromTicks((long)Median(Runs.Select(run => (double)run.Load.P50.Ticks)));
    public TimeSpan P99 => TimeSpan.FromTicks((long)Median(Runs.Select(run => (double)run.Load.P99.Ticks)));
    public TimeSpan CpuPerRequest => TimeSpan.FromTicks((long)Median(Runs.Select(run => (double)run.CpuPerRequest.Ticks)));
    public long Requests => Runs.Sum(run => run.Load.Requests);
    public long Errors => Runs.Sum(run => run.Load.Non2xx + run.Load.SocketErrors);
    public int TokenReviews => Runs.Sum(run => run.TokenReviews);
    public int AssumeRoles => Runs.Sum(run => run.AssumeRoles);

    public string RatesPerRun => string.Join(", ", Runs.Select(run => Format.Rate(run.Load.RequestsPerSecond)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>
/// Runs load against started servers: a warm-up that lasts until the server is at steady state, then measured
/// runs, counting upstream calls and the server's CPU time only during the latter.
/// </summary>
internal sealed class LoadScenarios(WrkRunner wrk, Upstreams upstreams, BenchmarkOptions options)
{
    // Two windows in a row within this of each other: tiered compilation has settled (it moves the rate by far more).
    private const double SettledWithin = 0.05;

    /// <summary>
    /// Warms the server up, then measures one run. A server that earlier scenarios brought to steady state
    /// (<paramref name="alreadyWarm"/>) gets one window, to fill its caches for the new load.
    /// </summary>
    public async Task<ScenarioResult> RunAsync(
        string name, ServerProcess server, string warmUpScript, string script, bool alreadyWarm, CancellationToken cancellationToken)
    {
        Console.WriteLine($"  {name}");
        var warmUp = await WarmUpAsync(server, warmUpScript, cancellationToken, untilSettled: !alreadyWarm);
        var run = await MeasureAsync(server, script, cancellationToken);
        return new ScenarioResult(name, [run], warmUp);
    }

    /// <summary>
    /// Sends load in windows until at least the minimum warm-up has passed and the last two windows' rates are
    /// within 5 % of each other, or the maximum has passed. A fresh .NET process keeps recompiling hot code for
    /// many seconds under load (ReadyToRun → instrumented → optimised), and on two busy cores that work competes
    /// with the requests, so a fixed short warm-up measures the compiler rather than the server.
    /// </summary>
    public async Task<WarmUp> WarmUpAsync(ServerProcess server, string script, CancellationToken cancellationToken, bool untilSettled = true)
    {
        ArgumentNullException.ThrowIfNull(server);
        var window = options.WarmUpWindow;
        var rates = new List<double>();
        long requests = 0;
        var settled = false;
        while (window * rates.Count < options.MaxWarmUp)
        {
            var load = await wrk.RunAsync(server.BaseAddress, script, window, cancellationToken);
            rates.Add(load.RequestsPerSecond);
            requests += load.Requests;
            settled = !untilSettled || (window * rates.Count >= options.WarmUp && rates.Count >= 2
                && Math.Abs(rates[^1] - rates[^2]) <= SettledWithin * Math.Max(rates[^1], rates[^2]));
            if (settled)
            {
                break;
            }
        }

        var warmUp = new WarmUp(rates, window, requests, settled);
        Console.WriteLine($"    {server.Name}: {warmUp.Describe()}");
        return warmUp;
    }

    public async Task<LoadRun> MeasureAsync(ServerProcess server, string script, CancellationToken cancellationToken)
    {
        var run = await MeasureQuietlyAsync(server, script, options.Duration, cancellationToken);
        var load = run.Load;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"    {server.Name}: {load.RequestsPerSecond:0} req/s, {run.CpuPerRequest.TotalMicroseconds:0} µs CPU/request, p50 {Format.Latency(load.P50)}, "
            + $"p99 {Format.Latency(load.P99)}, {load.Non2xx + load.SocketErrors} errors, {run.TokenReviews} TokenReviews, {run.AssumeRoles} AssumeRoles"));
        return run;
    }

    /// <summary>
    /// Puts a figure on what the <paramref name="subjects"/> cost against the <paramref name="references"/>: warm
    /// servers, the same requests, short runs in ABBA order (see <see cref="PairedComparison"/>); pair i runs
    /// subject and reference i modulo their number.
    /// </summary>
    public async Task<PairedComparison> CompareAsync(
        IReadOnlyList<ServerProcess> subjects, IReadOnlyList<ServerProcess> references, string script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentNullException.ThrowIfNull(references);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {subjects[0].Name} against {references[0].Name}: {options.CostPairs} pairs of {options.WarmUpWindow.TotalSeconds:0} s runs, ABBA order, "
            + $"{subjects.Count} and {references.Count} processes"));
        var pairs = new List<(LoadRun Subject, LoadRun Reference)>();
        for (var pair = 0; pair < options.CostPairs; pair++)
        {
            var (subject, reference) = (subjects[pair % subjects.Count], references[pair % references.Count]);
            LoadRun subjectRun, referenceRun;
            if (pair % 2 == 0)
            {
                subjectRun = await MeasureQuietlyAsync(subject, script, options.WarmUpWindow, cancellationToken);
                referenceRun = await MeasureQuietlyAsync(reference, script, options.WarmUpWindow, cancellationToken);
            }
            else
            {
                referenceRun = await MeasureQuietlyAsync(reference, script, options.WarmUpWindow, cancellationToken);
                subjectRun = await MeasureQuietlyAsync(subject, script, options.WarmUpWindow, cancellationToken);
            }

            pairs.Add((subjectRun, referenceRun));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"    pair {pair + 1}: {subjectRun.Load.RequestsPerSecond:0} against {referenceRun.Load.RequestsPerSecond:0} req/s, "
                + $"{subjectRun.CpuPerRequest.TotalMicroseconds:0.0} against {referenceRun.CpuPerRequest.TotalMicroseconds:0.0} µs CPU/request"));
        }

        var comparison = new PairedComparison(pairs);
        Console.WriteLine($"    cost: {comparison.Describe()}");
        return comparison;
    }

    private async Task<LoadRun> MeasureQuietlyAsync(ServerProcess server, string script, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        upstreams.ResetCounters();
        var cpuBefore = server.CpuTime();
        var load = await wrk.RunAsync(server.BaseAddress, script, duration, cancellationToken);
        return new LoadRun(load, server.CpuTime() - cpuBefore, upstreams.TokenReviews, upstreams.AssumeRoles);
    }
}
