using System.Globalization;
using k8s.Models;

namespace Tvm.Tests.Deployment;

/// <summary>
/// Workloads reach TVM through its Service on the container's serving port, and the NetworkPolicy lets them; Prometheus
/// reaches the metrics port through a headless Service of its own, from the monitoring namespace only.
/// </summary>
public sealed class NetworkExposureTests
{
    public static TheoryData<string> Installations => TvmManifest.Installations;

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task The_Service_sends_traffic_to_the_container_port(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();
        var service = rendered.Single<V1Service>(TvmManifest.Name);

        (service.Spec.Type ?? "ClusterIP").Should().Be("ClusterIP", "TVM serves workloads inside the cluster only");
        service.Spec.Selector.Selects(rendered.Deployment().Spec.Template.Metadata.Labels).Should().BeTrue("the Service should select TVM's pods");
        service.Spec.Ports.Should().ContainSingle();
        container.ResolvePort(service.Spec.Ports[0].TargetPort).Should().Be(rendered.ServingPort());
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task The_NetworkPolicy_admits_callers_from_anywhere_on_the_serving_port_and_scrapes_from_a_namespace_on_the_metrics_port(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();
        var policy = rendered.Single<V1NetworkPolicy>(TvmManifest.Name);
        var serving = rendered.ServingPort();
        var metrics = rendered.MetricsPort();

        policy.Spec.PodSelector.MatchLabels.Selects(rendered.Deployment().Spec.Template.Metadata.Labels).Should().BeTrue();
        policy.Spec.PolicyTypes.Should().Contain("Ingress");
        policy.Spec.Ingress.Should().NotBeEmpty();
        foreach (var rule in policy.Spec.Ingress)
        {
            rule.Ports.Should().NotBeNullOrEmpty("every ingress rule should name the port it opens");
            rule.Ports.Select(p => container.ResolvePort(p.Port)).Should().OnlyContain(port => port == serving || port == metrics);
            rule.Ports.Should().OnlyContain(p => p.Protocol == null || p.Protocol == "TCP");
        }

        var fromEverywhere = policy.Spec.Ingress.Any(rule => rule.Ports.Any(p => container.ResolvePort(p.Port) == serving) && IsFromEverywhere(rule));
        fromEverywhere.Should().BeTrue("workloads in every namespace call TVM");

        var scrapes = policy.Spec.Ingress.Where(rule => rule.Ports.Any(p => container.ResolvePort(p.Port) == metrics)).ToList();
        scrapes.Should().NotBeEmpty("Prometheus should be able to scrape the metrics port");
        foreach (var rule in scrapes)
        {
            IsFromEverywhere(rule).Should().BeFalse("only the monitoring namespace needs the metrics port");
            rule.FromProperty.Should().OnlyContain(
                peer => peer.NamespaceSelector != null && peer.NamespaceSelector.MatchLabels != null && peer.NamespaceSelector.MatchLabels.Count > 0,
                "scrapes should be admitted from namespaces named by label, which an overlay can change");
            rule.Ports.Select(p => container.ResolvePort(p.Port)).Should().OnlyContain(port => port == metrics, "the scrape rule should open nothing else");
        }
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task A_headless_metrics_Service_exposes_the_metrics_port_of_every_pod(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();
        var service = rendered.Single<V1Service>(TvmManifest.MetricsService);

        service.Spec.ClusterIP.Should().Be("None", "Prometheus scrapes each pod, not a load-balanced address");
        service.Spec.Selector.Selects(rendered.Deployment().Spec.Template.Metadata.Labels).Should().BeTrue("the Service should select TVM's pods");
        var port = service.Spec.Ports.Should().ContainSingle().Subject;
        port.Name.Should().Be(TvmManifest.MetricsPortName, "a ServiceMonitor selects the port by name");
        container.ResolvePort(port.TargetPort).Should().Be(rendered.MetricsPort());
    }

    private static bool IsFromEverywhere(V1NetworkPolicyIngressRule rule) =>
        rule.FromProperty is null or { Count: 0 }
        || rule.FromProperty.Any(peer => peer.NamespaceSelector is { MatchLabels: null or { Count: 0 }, MatchExpressions: null or { Count: 0 } } && peer.PodSelector is null);

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task Egress_leaves_room_for_DNS_the_Kubernetes_API_and_STS(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var policy = rendered.Single<V1NetworkPolicy>(TvmManifest.Name);
        if (!(policy.Spec.PolicyTypes ?? []).Contains("Egress"))
        {
            // Egress is not restricted at all, so nothing TVM needs can be blocked.
            return;
        }

        var open = policy.Spec.Egress?
            .Where(rule => rule.To is null or { Count: 0 })
            .SelectMany(rule => rule.Ports ?? [])
            .Select(p => $"{int.Parse(p.Port.Value, CultureInfo.InvariantCulture)}/{p.Protocol ?? "TCP"}")
            .ToList() ?? [];
        open.Should().Contain(["53/UDP", "53/TCP", "443/TCP"]);
    }
}
