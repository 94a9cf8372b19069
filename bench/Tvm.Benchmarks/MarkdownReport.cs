using System.Text;

namespace Tvm.Benchmarks;

/// <summary>The run's results as Markdown, ready to paste into a README.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchmarkResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var options = results.Options;
        var report = new StringBuilder();
        Line(report, $"## Benchmark results ({results.StartedAt:yyyy-MM-dd HH:mm} UTC{(options.Quick ? ", quick run" : "")})");
        Line(report);
        Line(report, $"Machine: {results.Machine}.");
        Line(report);
        Line(report, $"Load: wrk, {options.Threads} threads, {options.Connections} connections, {options.Duration.TotalSeconds:0} s per measured run, "
            + $"after a warm-up of at least {options.WarmUp.TotalSeconds:0} s that goes on until two {options.WarmUpWindow.TotalSeconds:0} s windows in a row are "
            + $"within 5 % (at most {options.MaxWarmUp.TotalSeconds:0} s). (a), (f), (b) and (e) are measured in {options.Rounds} alternating rounds and their "
            + "figures are medians over the rounds. "
            + $"What metrics and rate limits cost comes from {options.CostPairs} pairs of {options.WarmUpWindow.TotalSeconds:0} s runs of (b) and (e) in ABBA order, "
            + $"over {options.CostProcesses} processes of each. All on 127.0.0.1 of this one machine (load generator, servers and emulators share its CPUs). "
            + $"Upstream latency: TokenReview {options.ReviewLatency.TotalMilliseconds:0} ms, STS AssumeRole {options.StsLatency.TotalMilliseconds:0} ms. "
            + $"TVM as shipped: {Servers.TvmBuild}, "
            + "LOG_LEVEL=INFO (one JSON line per request on stdout, read by the benchmark), tracing instrumented with no exporter, "
            + $"the GC settings of its runtimeconfig.json and of the image's environment ({string.Join(", ", ImageRuntimeSettings.Read().Select(setting => $"{setting.Key}={setting.Value}"))}), "
            + $"SESSION_DURATION_SECONDS={options.SessionDurationSeconds}.");
        if (options.TvmEnvironment.Count > 0)
        {
            Line(report);
            Line(report, $"**Not as shipped**: every TVM ran with {string.Join(", ", options.TvmEnvironment.Select(variable => $"`{variable.Key}={variable.Value}`"))}.");
        }
        Line(report);

        Line(report, "| scenario | requests/s | per run | CPU per request | p50 | p99 | errors | TokenReviews | AssumeRoles |");
        Line(report, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var scenario in results.Scenarios)
        {
            Line(report, $"| {scenario.Name} | {Format.Rate(scenario.RequestsPerSecond)} | {scenario.RatesPerRun} | {Format.Microseconds(scenario.CpuPerRequest)} "
                + $"| {Format.Latency(scenario.P50)} | {Format.Latency(scenario.P99)} | {Format.Count(scenario.Errors)} | {Format.Count(scenario.TokenReviews)} "
                + $"| {Format.Count(scenario.AssumeRoles)} |");
        }

        Line(report);
        Line(report, "CPU per request is the server's own CPU time (user + system, all threads, from /proc/PID/stat) over the measured run, "
            + "divided by the requests wrk completed. Warm-up of each server, in windows:");
        Line(report);
        foreach (var scenario in results.Scenarios)
        {
            Line(report, $"- {scenario.Name}: {scenario.WarmUp.Describe()}");
        }

        Line(report);
        var manyRequests = results.ManyTokens.Requests;
        var manyReviews = results.ManyTokens.TokenReviews;
        var shippedRequests = new[] { results.CacheHit, results.ManyTokens }.Sum(scenario => scenario.Requests + scenario.WarmUp.Requests);
        Line(report, $"Errors are non-2xx answers plus socket errors. The many-tokens run sent {Format.Count(manyRequests)} requests over "
            + $"{Format.Count(options.DistinctTokens)} distinct tokens (each token comes round again only after {Format.Count(options.DistinctTokens)} requests) "
            + $"and TVM made {Format.Count(manyReviews)} TokenReviews: {(manyRequests == 0 ? 0 : (double)manyReviews / manyRequests):P0} of requests needed one. "
            + $"The TVM of (b) and (c) wrote {Format.Count(results.TvmStdoutLines)} log lines to stdout for the {Format.Count(shippedRequests)} "
            + "requests wrk completed in those runs and their warm-ups: one line per request, but the same process also serves a share of the paired runs, "
            + "which that count leaves out, so the lines outnumber it.");
        Line(report);

        Line(report, "| start-up to first 200 from /healthz | median | runs |");
        Line(report, "|---|---:|---|");
        Line(report, $"| baseline | {Format.Milliseconds(results.Startup.BaselineMedian)} | {string.Join(", ", results.Startup.Baseline.Select(Format.Milliseconds))} |");
        Line(report, $"| TVM | {Format.Milliseconds(results.Startup.TvmMedian)} | {string.Join(", ", results.Startup.Tvm.Select(Format.Milliseconds))} |");
        Line(report);

        var memory = results.Memory;
        Line(report, "| resident memory | VmRSS | of which anonymous |");
        Line(report, "|---|---:|---:|");
        MemoryRow(report, "TVM after start-up, idle", memory.TvmIdle);
        MemoryRow(report, "TVM after (b)", memory.TvmAfterCacheHits);
        MemoryRow(report, "TVM after (b) and (c)", memory.TvmAfterLoad);
        MemoryRow(report, "cache-less TVM after (d)", memory.CachelessAfterLoad);
        MemoryRow(report, "baseline after start-up, idle", memory.BaselineIdle);
        MemoryRow(report, "baseline after (a)", memory.BaselineAfterLoad);
        Line(report);

        var burst = results.Burst;
        Line(report, $"Burst: {Format.Count(burst.Requests)} concurrent first requests (distinct pod tokens, one service account) against a freshly "
            + $"started TVM: {Format.Count(burst.Succeeded)} succeeded in {Format.Milliseconds(burst.Elapsed)}, {Format.Count(burst.TokenReviews)} TokenReviews, "
            + $"{burst.AssumeRoles} AssumeRole{(burst.Failures.Length > 0 ? $"; failures: {burst.Failures}" : "")}.");
        Line(report);

        Line(report, "| target | measured | |");
        Line(report, "|---|---|---|");
        foreach (var target in results.Targets)
        {
            Line(report, $"| {target.Target} | {target.Measured} | {(target.Met ? "met" : "**not met**")} |");
        }

        Line(report);
        Line(report, "```");
        foreach (var ratio in results.RatioLines)
        {
            Line(report, ratio);
        }

        Line(report, "```");
        Line(report);
        Line(report, $"For scale: baseline / cache-less throughput = {Format.Ratio(results.BaselineVsCacheless)}, the most any server could reach "
            + "against the cache-less rate at this load on this machine.");
        return report.ToString();
    }

    private static void MemoryRow(StringBuilder report, string what, ResidentMemory memory) =>
        Line(report, $"| {what} | {Format.Megabytes(memory.Bytes)} | {Format.Megabytes(memory.AnonymousBytes)} |");

    // "\n" rather than AppendLine: the report is the same file on every platform.
    private static void Line(StringBuilder report, string line = "") => report.Append(line).Append('\n');
}
