using System.Globalization;

namespace Tvm.Benchmarks;

/// <summary>Number formats shared by the console output and the Markdown report.</summary>
internal static class Format
{
    public static string Latency(TimeSpan latency) => latency < TimeSpan.FromMilliseconds(10)
        ? latency.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : latency.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Milliseconds(TimeSpan duration) => duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    public static string Microseconds(TimeSpan duration) => duration.TotalMicroseconds.ToString("0", CultureInfo.InvariantCulture) + " µs";

    public static string Rate(double requestsPerSecond) => requestsPerSecond.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString(ratio >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture);

    public static string Megabytes(long bytes) => (bytes / ResidentMemory.BytesPerMegabyte).ToString("0", CultureInfo.InvariantCulture) + " MB";
}
