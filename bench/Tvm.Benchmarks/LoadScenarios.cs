using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>One measured wrk run, with what the emulated upstreams were asked during it, and how many requests its warm-up sent.</summary>
internal sealed record ScenarioResult(string Name, WrkResult Load, int TokenReviews, int AssumeRoles, long WarmUpRequests);

/// <summary>
/// Runs a load scenario against a started server: an unmeasured warm-up (JIT, connection pools, caches), then
/// the measured run, counting upstream calls only during the latter.
/// </summary>
internal sealed class LoadScenarios(WrkRunner wrk, Upstreams upstreams, BenchmarkOptions options)
{
    public async Task<ScenarioResult> RunAsync(
        string name, ServerProcess server, string warmUpScript, string script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {name}: {options.WarmUp.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s measured"));
        var warmUp = options.WarmUp >= TimeSpan.FromSeconds(1)
            ? await wrk.RunAsync(server.BaseAddress, warmUpScript, options.WarmUp, cancellationToken)
            : null;

        upstreams.ResetCounters();
        var load = await wrk.RunAsync(server.BaseAddress, script, options.Duration, cancellationToken);
        var result = new ScenarioResult(name, load, upstreams.TokenReviews, upstreams.AssumeRoles, warmUp?.Requests ?? 0);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"    {load.RequestsPerSecond:0} req/s, p50 {Format.Latency(load.P50)}, p99 {Format.Latency(load.P99)}, "
            + $"{load.Non2xx + load.SocketErrors} errors, {result.TokenReviews} TokenReviews, {result.AssumeRoles} AssumeRoles"));
        return result;
    }
}
