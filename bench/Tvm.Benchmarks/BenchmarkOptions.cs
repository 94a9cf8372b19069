using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>
/// What one run measures and for how long. <c>--quick</c> is a smoke run (shorter measured runs, fewer start-ups
/// and tokens); the other flags override it.
/// </summary>
internal sealed record BenchmarkOptions
{
    public const string Usage = """
        Usage: bash bench/run.sh [options]
          --duration SECONDS         length of each measured wrk run (default 10; 3 with --quick)
          --warm-up SECONDS          least warm-up before a server's first measured run (default 15; 6 with --quick);
                                     it goes on in 5 s windows (3 s with --quick) until two in a row are within 5 %
          --max-warm-up SECONDS      most warm-up per server, settled or not (default 60; 15 with --quick)
          --rounds N                 measured runs of each baseline, TVM and TVM without metrics and limits,
                                     alternating (default 3; 2 with --quick)
          --cost-pairs N             pairs of short runs that put a figure on what metrics and rate limits cost
                                     (and, with --compare-tvm, what a change costs), ABBA order (default 24; 4 with --quick)
          --cost-processes N         processes of TVM with and without them that those pairs cycle through (default 3;
                                     1 with --quick)
          --connections N            concurrent connections wrk keeps open (default 64)
          --threads N                wrk threads (default 2)
          --startup-runs N           start-ups measured per server (default 5; 3 with --quick)
          --tokens N                 distinct pod tokens for the many-tokens scenario (default 40000; 12000 with --quick)
          --review-latency-ms MS     latency the Kubernetes API emulator adds to each TokenReview (default 5)
          --sts-latency-ms MS        latency the STS emulator adds to each AssumeRole (default 50)
          --tvm-env NAME=VALUE       extra environment for every TVM started, repeatable; to see what a setting
                                     costs, e.g. --tvm-env LOG_LEVEL=WARNING or --tvm-env DOTNET_gcServer=0
          --output PATH              where to write the Markdown report (default bench/results/latest.md)
          --quick                    short runs for a smoke test
          --cache-hits-only          only the warm-up and rounds of (a), (f), (b) and (e), printed and not written: for
                                     trying a change to the hot path
          --compare-tvm PATH         with --cache-hits-only: another build's Tvm.dll or published Tvm executable, in the same rounds,
                                     to measure a change against the build before it
          --compare-tvm-env NAME=VALUE
                                     with --cache-hits-only, repeatable: extra environment for the compared TVM only
                                     (this build again unless --compare-tvm names another), to measure what a
                                     runtime setting gives against the same build as shipped
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    // A fresh TVM on two shared cores needed 20–40 s under load before tiered compilation settled.
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan MaxWarmUp { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan WarmUpWindow { get; init; } = TimeSpan.FromSeconds(5);
    public int Rounds { get; init; } = 3;
    public int CostPairs { get; init; } = 24;
    public int CostProcesses { get; init; } = 3;
    public int Connections { get; init; } = 64;
    public int Threads { get; init; } = 2;
    public int StartupRuns { get; init; } = 5;
    public int DistinctTokens { get; init; } = 40_000;
    public int BurstSize { get; init; } = 1000;
    public TimeSpan ReviewLatency { get; init; } = TimeSpan.FromMilliseconds(5);
    public TimeSpan StsLatency { get; init; } = TimeSpan.FromMilliseconds(50);
    public int SessionDurationSeconds { get; init; } = 3600;
    public bool Quick { get; init; }
    public bool CacheHitsOnly { get; init; }
    public string? ComparedTvmAssembly { get; init; }

    /// <summary>Set for the compared TVM alone, after <see cref="TvmEnvironment"/>.</summary>
    public IReadOnlyDictionary<string, string> ComparedTvmEnvironment { get; init; } = new Dictionary<string, string>();

    public bool ComparesTvm => ComparedTvmAssembly is not null || ComparedTvmEnvironment.Count > 0;

    /// <summary>What the compared TVM is, for the report.</summary>
    public string ComparedTvmDescription =>
        string.Join(", ", new[]
        {
            ComparedTvmAssembly is null ? null : "built from " + ComparedTvmAssembly,
            ComparedTvmEnvironment.Count == 0 ? null : "with " + string.Join(" ", ComparedTvmEnvironment.Select(variable => $"{variable.Key}={variable.Value}")),
        }.OfType<string>());
    public string? OutputPath { get; init; }

    /// <summary>Set for every TVM after its own defaults, so it can override them; empty for TVM as shipped.</summary>
    public IReadOnlyDictionary<string, string> TvmEnvironment { get; init; } = new Dictionary<string, string>();

    /// <exception cref="ArgumentException">An unknown flag or a value out of range; the message says which.</exception>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchmarkOptions
            {
                Quick = true,
                Duration = TimeSpan.FromSeconds(3),
                StartupRuns = 3,
                DistinctTokens = 12_000,
                Rounds = 2,
                CostPairs = 4,
                CostProcesses = 1,
                WarmUp = TimeSpan.FromSeconds(6),
                MaxWarmUp = TimeSpan.FromSeconds(15),
                WarmUpWindow = TimeSpan.FromSeconds(3),
            }
            : new BenchmarkOptions();

        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag == "--quick")
            {
                continue;
            }

            if (flag == "--cache-hits-only")
            {
                options = options with { CacheHitsOnly = true };
                continue;
            }

            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value.");
            options = flag switch
            {
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number(flag, value, 1, 600)) },
                "--warm-up" => options with { WarmUp = TimeSpan.FromSeconds(Number(flag, value, 0, 600)) },
                "--max-warm-up" => options with { MaxWarmUp = TimeSpan.FromSeconds(Number(flag, value, 0, 600)) },
                "--rounds" => options with { Rounds = Number(flag, value, 1, 20) },
                "--cost-pairs" => options with { CostPairs = Number(flag, value, 1, 100) },
                "--cost-processes" => options with { CostProcesses = Number(flag, value, 1, 10) },
                "--connections" => options with { Connections = Number(flag, value, 1, 10_000) },
                "--threads" => options with { Threads = Number(flag, value, 1, 64) },
                "--startup-runs" => options with { StartupRuns = Number(flag, value, 1, 50) },
                "--tokens" => options with { DistinctTokens = Number(flag, value, 100, 1_000_000) },
                "--review-latency-ms" => options with { ReviewLatency = TimeSpan.FromMilliseconds(Number(flag, value, 0, 5000)) },
                "--sts-latency-ms" => options with { StsLatency = TimeSpan.FromMilliseconds(Number(flag, value, 0, 5000)) },
                "--output" => options with { OutputPath = value },
                "--compare-tvm" => options with { ComparedTvmAssembly = File.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--compare-tvm: {value} does not exist.") },
                "--tvm-env" => options with { TvmEnvironment = WithVariable(flag, options.TvmEnvironment, value) },
                "--compare-tvm-env" => options with { ComparedTvmEnvironment = WithVariable(flag, options.ComparedTvmEnvironment, value) },
                _ => throw new ArgumentException($"Unknown option {flag}."),
            };
        }

        if (options.ComparesTvm && !options.CacheHitsOnly)
        {
            throw new ArgumentException("--compare-tvm and --compare-tvm-env need --cache-hits-only.");
        }

        if (options.MaxWarmUp < options.WarmUp)
        {
            options = options with { MaxWarmUp = options.WarmUp };
        }

        // wrk gives each thread connections / threads connections; more threads than connections would idle.
        return options.Threads > options.Connections ? options with { Threads = options.Connections } : options;
    }

    private static Dictionary<string, string> WithVariable(string flag, IReadOnlyDictionary<string, string> environment, string assignment)
    {
        var separator = assignment.IndexOf('=', StringComparison.Ordinal);
        if (separator < 1)
        {
            throw new ArgumentException($"{flag} needs NAME=VALUE; got '{assignment}'.");
        }

        return new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            [assignment[..separator]] = assignment[(separator + 1)..],
        };
    }

    private static int Number(string flag, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{flag} must be a whole number from {min} to {max}; got '{value}'.");
}
