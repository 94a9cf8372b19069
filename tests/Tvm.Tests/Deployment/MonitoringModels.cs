using k8s;
using k8s.Models;

namespace Tvm.Tests.Deployment;

/// <summary>
/// The Prometheus Operator objects the monitoring component renders (monitoring.coreos.com/v1), with the fields the
/// manifests use. Loading stays strict: a field missing here is a field the manifests should not be writing.
/// </summary>
internal static class MonitoringModels
{
    public const string ApiVersion = "monitoring.coreos.com/v1";

    /// <summary>The extra kinds for <see cref="KubernetesYaml.LoadAllFromString"/>, keyed as it expects.</summary>
    public static IDictionary<string, Type> TypeMap { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [$"{ApiVersion}/ServiceMonitor"] = typeof(ServiceMonitor),
        [$"{ApiVersion}/PrometheusRule"] = typeof(PrometheusRule),
    };
}

internal sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ServiceMonitorSpec Spec { get; set; } = new();
}

internal sealed class ServiceMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();

    public NamespaceSelector? NamespaceSelector { get; set; }

    public string? JobLabel { get; set; }

    public List<ScrapeEndpoint> Endpoints { get; set; } = [];
}

internal sealed class NamespaceSelector
{
    public bool? Any { get; set; }

    public List<string>? MatchNames { get; set; }
}

internal sealed class ScrapeEndpoint
{
    public string? Port { get; set; }

    public string? Path { get; set; }

    public string? Scheme { get; set; }

    public string? Interval { get; set; }

    public string? ScrapeTimeout { get; set; }
}

internal sealed class PrometheusRule : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public PrometheusRuleSpec Spec { get; set; } = new();
}

internal sealed class PrometheusRuleSpec
{
    public List<RuleGroup> Groups { get; set; } = [];
}

internal sealed class RuleGroup
{
    public string Name { get; set; } = "";

    public string? Interval { get; set; }

    public List<Rule> Rules { get; set; } = [];
}

internal sealed class Rule
{
    public string? Alert { get; set; }

    public string? Record { get; set; }

    public string Expr { get; set; } = "";

    public string? For { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}
