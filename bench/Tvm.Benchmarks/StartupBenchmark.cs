namespace Tvm.Benchmarks;

/// <summary>Start-up times to the first 200 from /healthz, measured alternately so both servers see the same machine.</summary>
internal sealed record StartupResult(IReadOnlyList<TimeSpan> Baseline, IReadOnlyList<TimeSpan> Tvm)
{
    public TimeSpan BaselineMedian => Median(Baseline);
    public TimeSpan TvmMedian => Median(Tvm);
    public double Ratio => TvmMedian / BaselineMedian;

    private static TimeSpan Median(IReadOnlyList<TimeSpan> samples)
    {
        var sorted = samples.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

internal static class StartupBenchmark
{
    public static async Task<StartupResult> MeasureAsync(Servers servers, int runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        // One unmeasured start of each first: right after a build, the first start also reads every assembly from disk.
        await StartAndStopAsync(Servers.StartBaseline, cancellationToken);
        await StartAndStopAsync(servers.StartTvm, cancellationToken);

        var baseline = new List<TimeSpan>();
        var tvm = new List<TimeSpan>();
        for (var run = 0; run < runs; run++)
        {
            baseline.Add(await StartAndStopAsync(Servers.StartBaseline, cancellationToken));
            tvm.Add(await StartAndStopAsync(servers.StartTvm, cancellationToken));
        }

        return new StartupResult(baseline, tvm);
    }

    private static async Task<TimeSpan> StartAndStopAsync(Func<ServerProcess> start, CancellationToken cancellationToken)
    {
        var (server, startUp) = await Servers.StartHealthyAsync(start, cancellationToken);
        await server.DisposeAsync();
        return startUp;
    }
}
