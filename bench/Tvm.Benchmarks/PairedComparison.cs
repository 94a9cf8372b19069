using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>
/// What one server costs against another that differs from it in one respect, taken from short runs of the two in
/// ABBA order (subject, reference, reference, subject, …). A few seconds of a noisy neighbour then weigh on both
/// alike, and each adjacent pair of runs gives one estimate. The median estimate is reported with the quartiles,
/// so that a reader sees whether a difference of a few per cent stands out of the noise. Separate rounds of 10 s
/// each could not tell two copies of the same build apart from a 10 % difference on this machine.
/// </summary>
internal sealed record PairedComparison(IReadOnlyList<(LoadRun Subject, LoadRun Reference)> Pairs)
{
    /// <summary>The share of the reference's throughput the subject loses.</summary>
    public double ThroughputCost => Quantile(ThroughputCosts, 0.5);

    public double ThroughputCostLowerQuartile => Quantile(ThroughputCosts, 0.25);

    public double ThroughputCostUpperQuartile => Quantile(ThroughputCosts, 0.75);

    /// <summary>What the subject adds to each request's CPU time, as a share of the reference's.</summary>
    public double CpuCost => Quantile(CpuCosts, 0.5);

    private IEnumerable<double> ThroughputCosts =>
        Pairs.Select(pair => 1 - (pair.Subject.Load.RequestsPerSecond / pair.Reference.Load.RequestsPerSecond));

    private IEnumerable<double> CpuCosts =>
        Pairs.Select(pair => (pair.Subject.CpuPerRequest / pair.Reference.CpuPerRequest) - 1);

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{ThroughputCost:P1} of throughput (quartiles {ThroughputCostLowerQuartile:P1} to {ThroughputCostUpperQuartile:P1} over {Pairs.Count} pairs), "
        + $"{CpuCost:P1} CPU per request");

    private static double Quantile(IEnumerable<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = quantile * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
