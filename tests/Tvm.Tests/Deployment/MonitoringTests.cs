using k8s.Models;

namespace Tvm.Tests.Deployment;

/// <summary>
/// The monitoring component (manifests/components/monitoring), as the example installation uses it, and the Grafana
/// dashboard: they scrape the metrics port by name and query only metrics TVM, its platform or kube-state-metrics
/// actually export, so a renamed metric fails here rather than silently in an empty panel or a mute alert.
/// </summary>
public sealed class MonitoringTests
{
    private const string Dashboard = "docs/grafana-dashboard.json";

    private static readonly string[] Severities = ["critical", "warning", "info"];

    public static TheoryData<string, string> RequiredAlerts => new()
    {
        { "the 5xx share of requests", "status_code=~\"5..\"" },
        { "STS throttling", "StsThrottled" },
        { "TokenReview failures", "KubernetesUnavailable" },
        { "TokenReview refusals", "KubernetesRefused" },
        { "p99 latency", "tvm_vend_duration_seconds_bucket" },
        { "pods not ready", "kube_deployment_status_replicas_available" },
        { "stale credentials being served", "tvm_stale_credentials_served_total" },
    };

    [Fact]
    public async Task The_ServiceMonitor_scrapes_the_metrics_port_by_name_over_plain_HTTP()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var monitor = rendered.All<ServiceMonitor>().Should().ContainSingle().Subject;
        var service = rendered.Single<V1Service>(TvmManifest.MetricsService);

        monitor.Metadata.NamespaceProperty.Should().Be(TvmManifest.Namespace);
        var namespaces = monitor.Spec.NamespaceSelector?.MatchNames ?? [monitor.Metadata.NamespaceProperty];
        namespaces.Should().Contain(service.Metadata.NamespaceProperty);

        var selected = rendered.All<V1Service>().Where(s => monitor.Spec.Selector.MatchLabels.Selects(s.Metadata.Labels ?? new Dictionary<string, string>())).ToList();
        selected.Select(s => s.Metadata.Name).Should().BeEquivalentTo([TvmManifest.MetricsService], "the ServiceMonitor should select the metrics Service and no other");

        var endpoint = monitor.Spec.Endpoints.Should().ContainSingle().Subject;
        endpoint.Port.Should().Be(TvmManifest.MetricsPortName, "a port name survives a change of number");
        service.Spec.Ports.Should().Contain(p => p.Name == endpoint.Port);
        endpoint.Path.Should().Be("/metrics");
        (endpoint.Scheme ?? "http").Should().Be("http", "the metrics port is plain HTTP even when PORT serves HTTPS");
    }

    [Fact]
    public async Task The_base_alone_needs_no_Prometheus_Operator()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.Base);

        rendered.All<ServiceMonitor>().Should().BeEmpty();
        rendered.All<PrometheusRule>().Should().BeEmpty();
    }

    [Fact]
    public async Task Every_alert_queries_known_metrics_and_has_a_severity_and_a_runbook()
    {
        var alerts = await Alerts();
        alerts.Should().NotBeEmpty();
        alerts.Select(a => a.Alert).Should().OnlyHaveUniqueItems();

        var known = PrometheusMetrics.Tvm.Concat(PrometheusMetrics.KubeStateMetrics).ToHashSet(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            var names = PrometheusMetrics.NamesIn(alert.Expr);
            names.Should().NotBeEmpty($"{alert.Alert} should query a metric");
            names.Should().OnlyContain(name => known.Contains(name), $"{alert.Alert} should query only TVM's metrics or kube-state-metrics");
            PrometheusMetrics.OutcomesIn(alert.Expr).Should().OnlyContain(
                outcome => PrometheusMetrics.Outcomes.Contains(outcome), $"{alert.Alert} should name outcomes TVM reports");

            alert.Labels.Should().NotBeNull().And.ContainKey("severity");
            alert.Labels!["severity"].Should().BeOneOf(Severities);
            alert.Annotations.Should().NotBeNull();
            alert.Annotations!.GetValueOrDefault("summary").Should().NotBeNullOrWhiteSpace($"{alert.Alert} should say what is wrong");
            alert.Annotations!.GetValueOrDefault("description").Should().Contain("Runbook:", $"{alert.Alert} should say what to do");
        }
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public async Task An_alert_covers(string what, string expressionPart)
    {
        var alerts = await Alerts();

        alerts.Should().Contain(a => a.Expr.Contains(expressionPart, StringComparison.Ordinal), $"an alert should watch {what}");
    }

    [Fact]
    public void The_dashboard_is_importable_and_queries_only_known_metrics()
    {
        using var document = JsonDocument.Parse(RepositoryPaths.ReadAllText(Dashboard));
        var root = document.RootElement;

        root.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        root.GetProperty("uid").GetString().Should().NotBeNullOrWhiteSpace("a fixed uid keeps links and re-imports stable");
        root.GetProperty("schemaVersion").GetInt32().Should().BeGreaterThanOrEqualTo(36);

        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        var datasource = variables.Where(v => v.GetProperty("type").GetString() == "datasource").ToList();
        datasource.Should().ContainSingle("the data source should be chosen on import, not hard-wired");
        datasource[0].GetProperty("query").GetString().Should().Be("prometheus");
        var datasourceUid = "${" + datasource[0].GetProperty("name").GetString() + "}";

        var known = PrometheusMetrics.Tvm.Concat(PrometheusMetrics.KubeStateMetrics).Concat(PrometheusMetrics.Platform).ToHashSet(StringComparer.Ordinal);
        var panels = Panels(root.GetProperty("panels")).Where(p => p.GetProperty("type").GetString() != "row").ToList();
        panels.Should().HaveCountGreaterThanOrEqualTo(10);
        panels.Select(p => p.GetProperty("id").GetInt32()).Should().OnlyHaveUniqueItems();
        var queried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            panel.GetProperty("datasource").GetProperty("uid").GetString().Should().Be(datasourceUid, title);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            targets.Should().NotBeEmpty(title);
            foreach (var target in targets)
            {
                var expression = target.GetProperty("expr").GetString()!;
                var names = PrometheusMetrics.NamesIn(expression);
                names.Should().NotBeEmpty(title);
                names.Should().OnlyContain(name => known.Contains(name), $"panel '{title}' should query only metrics TVM's process or kube-state-metrics export");
                PrometheusMetrics.OutcomesIn(expression).Should().OnlyContain(outcome => PrometheusMetrics.Outcomes.Contains(outcome), title);
                queried.UnionWith(names);
            }
        }

        queried.Should().Contain(PrometheusMetrics.Tvm.Where(name => !name.EndsWith("_sum", StringComparison.Ordinal) && !name.EndsWith("_count", StringComparison.Ordinal)), "every TVM metric should be on the dashboard");
        foreach (var variable in variables.Where(v => v.GetProperty("type").GetString() == "query"))
        {
            var query = variable.GetProperty("query").GetProperty("query").GetString()!;
            query.Should().StartWith("label_values(");
            PrometheusMetrics.NamesIn(query["label_values(".Length..query.IndexOf(',', StringComparison.Ordinal)]).Should().OnlyContain(name => known.Contains(name), query);
        }
    }

    private static async Task<List<Rule>> Alerts()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var rules = rendered.All<PrometheusRule>().Should().ContainSingle().Subject;
        rules.Metadata.NamespaceProperty.Should().Be(TvmManifest.Namespace);
        return rules.Spec.Groups.SelectMany(g => g.Rules).Where(r => r.Alert is not null).ToList();
    }

    private static IEnumerable<JsonElement> Panels(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in Panels(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}
