using System.Text.RegularExpressions;

namespace Tvm.Tests.Deployment;

/// <summary>
/// The metric names alerts and dashboards may query, as Prometheus sees them (OpenTelemetry names with dots turned
/// into underscores, the unit appended and <c>_total</c> on counters), and a reader of the names a PromQL
/// expression selects.
/// </summary>
internal static partial class PrometheusMetrics
{
    /// <summary>TVM's own metrics (CONTRACT.md, "Metrics"), histograms with their three series.</summary>
    public static IReadOnlySet<string> Tvm { get; } = new HashSet<string>(
    [
        "tvm_vend_requests_total",
        .. Histogram("tvm_vend_duration_seconds"),
        "tvm_cache_lookups_total",
        .. Histogram("tvm_upstream_duration_seconds"),
        "tvm_rate_limited_total",
        "tvm_stale_credentials_served_total",
    ],
    StringComparer.Ordinal);

    /// <summary>What kube-state-metrics reports about TVM's Deployment and autoscaler.</summary>
    public static IReadOnlySet<string> KubeStateMetrics { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "kube_deployment_spec_replicas",
        "kube_deployment_status_replicas",
        "kube_deployment_status_replicas_available",
        "kube_deployment_status_replicas_ready",
        "kube_deployment_status_replicas_unavailable",
        "kube_horizontalpodautoscaler_spec_min_replicas",
        "kube_horizontalpodautoscaler_spec_max_replicas",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_status_desired_replicas",
    };

    /// <summary>
    /// The instruments TVM's process exposes besides its own: ASP.NET Core, the .NET runtime and the process, as TVM's
    /// /metrics spells them. The exporter gives the runtime's up-down counters (thread-pool threads and queue) a
    /// <c>_total</c> suffix although they go down as well as up: read them as gauges, never through rate().
    /// </summary>
    public static IReadOnlySet<string> Platform { get; } = new HashSet<string>(
    [
        .. Histogram("http_server_request_duration_seconds"),
        "kestrel_active_connections",
        "kestrel_queued_connections",
        "dotnet_gc_collections_total",
        "dotnet_gc_pause_time_seconds_total",
        "dotnet_gc_heap_total_allocated_bytes_total",
        "dotnet_gc_last_collection_heap_size_bytes",
        "dotnet_thread_pool_thread_count_total",
        "dotnet_thread_pool_queue_length_total",
        "dotnet_thread_pool_work_item_count_total",
        "dotnet_exceptions_total",
        "dotnet_process_cpu_time_seconds_total",
        "dotnet_process_memory_working_set_bytes",
        "process_memory_usage_bytes",
        "process_memory_virtual_bytes",
        "process_cpu_time_seconds_total",
        "process_thread_count",
        "process_uptime_seconds",
    ],
    StringComparer.Ordinal);

    /// <summary>The outcome label's values: the error names, and the outcomes that are not errors.</summary>
    public static IReadOnlySet<string> Outcomes { get; } = new HashSet<string>(
        [.. Enum.GetNames<VendError>(), "Issued", "InvalidRequest", "Unexpected", "RateLimited"],
        StringComparer.Ordinal);

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "Inf", "NaN",
    };

    /// <summary>The metric names <paramref name="expression"/> selects (not its functions, keywords or label names).</summary>
    public static IReadOnlyList<string> NamesIn(string expression)
    {
        var text = StringLiteral().Replace(expression, "\"\"");
        text = Matchers().Replace(text, "{}");
        text = RangeOrSubquery().Replace(text, "[]");
        text = LabelList().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(m => !Keywords.Contains(m.Value) && !IsCall(text, m.Index + m.Length))
            .Select(m => m.Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The values an expression compares the outcome label with (alternatives of a regex split at '|').</summary>
    public static IReadOnlyList<string> OutcomesIn(string expression) =>
        OutcomeMatcher().Matches(expression)
            .SelectMany(m => m.Groups["value"].Value.Split('|', StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<string> Histogram(string name) => [$"{name}_bucket", $"{name}_sum", $"{name}_count"];

    private static bool IsCall(string text, int end)
    {
        while (end < text.Length && char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return end < text.Length && text[end] == '(';
    }

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`
        """)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex LabelList();

    [GeneratedRegex(@"(?<![\w.:$])[A-Za-z_:][\w:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex("""
        \boutcome\s*=~?\s*"(?<value>[^"]*)"
        """)]
    private static partial Regex OutcomeMatcher();
}
