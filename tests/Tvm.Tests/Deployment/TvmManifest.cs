using System.Globalization;
using k8s.Models;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

/// <summary>Names the manifests give TVM's own objects, and lookups shared by the deployment tests.</summary>
internal static class TvmManifest
{
    public const string Name = "token-vending-machine";
    public const string Namespace = "token-vending-machine";
    public const string AwsSecret = "token-vending-machine-aws";
    public const string PolicyConfigMap = "token-vending-machine-policy";
    public const string SettingsConfigMap = "token-vending-machine-config";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string MetricsService = "token-vending-machine-metrics";
    public const string MetricsPortName = "metrics";

    /// <summary>Settings of the operations contract (CONTRACT.md, "Configuration"), as the manifests spell them.</summary>
    public const string MetricsPortVariable = "METRICS_PORT";
    public const string ShutdownDelayVariable = "SHUTDOWN_DELAY_SECONDS";
    public const string RateLimitPerIdentityVariable = "RATE_LIMIT_PER_IDENTITY";
    public const string RateLimitBurstVariable = "RATE_LIMIT_BURST";
    public const string AuthFailuresPerMinuteVariable = "AUTH_FAILURES_PER_MINUTE";

    /// <summary>The contract's defaults for the settings above, where the manifests leave them unset.</summary>
    public const int DefaultMetricsPort = 9090;
    public const int DefaultShutdownDelaySeconds = 5;

    /// <summary>The renders that install TVM itself.</summary>
    public static TheoryData<string> Installations => new() { RenderedManifests.Base, RenderedManifests.ExampleOverlay };

    /// <summary>Every kustomization in the repository.</summary>
    public static TheoryData<string> AllKustomizations => new() { RenderedManifests.Base, RenderedManifests.ExampleOverlay, RenderedManifests.Examples };

    public static V1Deployment Deployment(this RenderedManifests rendered) => rendered.Single<V1Deployment>(Name);

    /// <summary>The autoscaler that owns the Deployment's replica count.</summary>
    public static V2HorizontalPodAutoscaler Autoscaler(this RenderedManifests rendered) => rendered.Single<V2HorizontalPodAutoscaler>(Name);

    /// <summary>The port /metrics is served on: METRICS_PORT as the installation sets it, or its default.</summary>
    public static int MetricsPort(this RenderedManifests rendered) =>
        rendered.EnvironmentValue(MetricsPortVariable) is { Length: > 0 } value
            ? int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)
            : DefaultMetricsPort;

    public static V1Container Container(this RenderedManifests rendered)
    {
        var containers = rendered.Deployment().Spec.Template.Spec.Containers;
        containers.Should().ContainSingle(c => c.Name == Name, "TVM's Deployment should run one container named token-vending-machine");
        return containers.Single(c => c.Name == Name);
    }

    /// <summary>The number a probe, Service or policy port refers to, looking names up among the container's ports.</summary>
    public static int ResolvePort(this V1Container container, IntOrString port)
    {
        if (int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var named = container.Ports?.Where(p => p.Name == port.Value).ToList() ?? [];
        named.Should().ContainSingle($"port '{port.Value}' should name one port of container {container.Name}");
        return named[0].ContainerPort;
    }

    /// <summary>The port TVM serves on: named <c>http</c>, or <c>https</c> where the TLS component turns HTTPS on.</summary>
    public static int ServingPort(this RenderedManifests rendered)
    {
        var ports = rendered.Container().Ports ?? [];
        ports.Should().ContainSingle(p => p.Name == "http" || p.Name == "https", "TVM's container should declare the port it serves on by name");
        return ports.Single(p => p.Name == "http" || p.Name == "https").ContainerPort;
    }

    /// <summary>Whether the installation sets TLS_CERT_PATH and TLS_KEY_PATH, so that TVM serves HTTPS only.</summary>
    public static bool ServesTls(this RenderedManifests rendered) =>
        rendered.EnvironmentValue(EnvironmentNames.TlsCertPath) is { Length: > 0 }
        && rendered.EnvironmentValue(EnvironmentNames.TlsKeyPath) is { Length: > 0 };

    /// <summary>The names a workload may use for TVM's Service, short to fully qualified.</summary>
    public static IReadOnlyList<string> ServiceDnsNames(this V1Service service) =>
    [
        service.Metadata.Name,
        $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}",
        $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc",
        $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.cluster.local",
    ];

    /// <summary>An environment variable set directly on TVM's container, or through a ConfigMap it loads with envFrom.</summary>
    public static string? EnvironmentValue(this RenderedManifests rendered, string variable)
    {
        var container = rendered.Container();
        var direct = container.Env?.FirstOrDefault(e => e.Name == variable);
        if (direct is not null)
        {
            return direct.Value;
        }

        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } reference
                && rendered.Single<V1ConfigMap>(reference.Name).Data is { } data
                && data.TryGetValue(variable, out var value))
            {
                return value;
            }
        }

        return null;
    }

    public static bool Selects(this IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
