using System.Globalization;
using System.Text.RegularExpressions;

namespace Tvm.Benchmarks;

/// <summary>What one wrk run measured, read from its <c>--latency</c> report.</summary>
internal sealed partial record WrkResult(
    double RequestsPerSecond,
    long Requests,
    TimeSpan P50,
    TimeSpan P99,
    long Non2xx,
    long SocketErrors,
    string Report)
{
    /// <summary>Parses wrk 4's text report; a report without a rate or the latency distribution is an error.</summary>
    public static WrkResult Parse(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rate = RequestsPerSecondLine().Match(report);
        var p50 = P50Line().Match(report);
        var p99 = P99Line().Match(report);
        if (!rate.Success || !p50.Success || !p99.Success)
        {
            throw new FormatException($"Not a wrk --latency report:{Environment.NewLine}{report}");
        }

        var requests = RequestsLine().Match(report);
        var non2xx = Non2xxLine().Match(report);
        var socketErrors = SocketErrorsLine().Match(report);
        return new WrkResult(
            double.Parse(rate.Groups["rate"].Value, CultureInfo.InvariantCulture),
            requests.Success ? long.Parse(requests.Groups["count"].Value, CultureInfo.InvariantCulture) : 0,
            Duration(p50.Groups["value"].Value, p50.Groups["unit"].Value),
            Duration(p99.Groups["value"].Value, p99.Groups["unit"].Value),
            non2xx.Success ? long.Parse(non2xx.Groups["count"].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors.Success
                ? Enumerable.Range(1, 4).Sum(group => long.Parse(socketErrors.Groups[group].Value, CultureInfo.InvariantCulture))
                : 0,
            report);
    }

    /// <summary>wrk prints times as 635.91us, 1.20ms, 2.00s or 1.00m.</summary>
    private static TimeSpan Duration(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => TimeSpan.FromMicroseconds(number),
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => throw new FormatException($"Unknown wrk time unit '{unit}'."),
        };
    }

    [GeneratedRegex(@"^Requests/sec:\s+(?<rate>[\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"^\s+50%\s+(?<value>[\d.]+)(?<unit>[a-z]+)", RegexOptions.Multiline)]
    private static partial Regex P50Line();

    [GeneratedRegex(@"^\s+99%\s+(?<value>[\d.]+)(?<unit>[a-z]+)", RegexOptions.Multiline)]
    private static partial Regex P99Line();

    [GeneratedRegex(@"^\s+(?<count>\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(?<count>\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();
}
