using System.Globalization;

namespace Tvm.Tests.Deployment;

/// <summary>
/// What running TVM in production needs from the manifests: an autoscaler that owns the replica count, a grace period
/// that covers the shutdown sequence, a scrapeable metrics port, and (in the example installation) rate limits.
/// </summary>
public sealed class OperationsManifestTests
{
    /// <summary>Upstream calls give up after ~8-10 s: a request that started just before the shutdown delay ended.</summary>
    private const int InFlightAllowanceSeconds = 20;

    public static TheoryData<string> Installations => TvmManifest.Installations;

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task An_autoscaler_scales_the_Deployment_on_CPU_from_at_least_two_replicas(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var deployment = rendered.Deployment();
        var autoscaler = rendered.Autoscaler();

        autoscaler.Metadata.NamespaceProperty.Should().Be(deployment.Metadata.NamespaceProperty);
        autoscaler.Spec.ScaleTargetRef.Kind.Should().Be("Deployment");
        autoscaler.Spec.ScaleTargetRef.ApiVersion.Should().Be("apps/v1");
        autoscaler.Spec.ScaleTargetRef.Name.Should().Be(deployment.Metadata.Name);
        autoscaler.Spec.MinReplicas.Should().BeGreaterThanOrEqualTo(2, "one replica is no replica during a drain or a crash");
        autoscaler.Spec.MaxReplicas.Should().BeGreaterThan(autoscaler.Spec.MinReplicas!.Value);

        var cpu = autoscaler.Spec.Metrics.Where(m => m.Type == "Resource" && m.Resource?.Name == "cpu").ToList();
        cpu.Should().ContainSingle("the autoscaler should follow CPU utilisation");
        cpu[0].Resource.Target.Type.Should().Be("Utilization");
        cpu[0].Resource.Target.AverageUtilization.Should().BeInRange(50, 90);
        rendered.Container().Resources.Requests.Should().ContainKey("cpu", "utilisation is measured against the CPU request");

        autoscaler.Spec.Behavior?.ScaleDown?.StabilizationWindowSeconds.Should().BeGreaterThanOrEqualTo(
            300, "each removed pod takes warm caches with it: scale in only after minutes of lower load");
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task The_grace_period_covers_the_shutdown_delay_and_the_requests_in_flight(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var spec = rendered.Deployment().Spec.Template.Spec;
        var delay = rendered.EnvironmentValue(TvmManifest.ShutdownDelayVariable) is { Length: > 0 } value
            ? int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)
            : TvmManifest.DefaultShutdownDelaySeconds;
        delay.Should().BeInRange(0, 60, "TVM refuses to start with another SHUTDOWN_DELAY_SECONDS");

        // The grace period starts with the preStop hook, if there is one, and TVM's own delay follows it.
        var preStop = rendered.Container().Lifecycle?.PreStop?.Sleep?.Seconds ?? 0;
        spec.TerminationGracePeriodSeconds.Should().BeGreaterThanOrEqualTo(
            preStop + delay + InFlightAllowanceSeconds,
            $"the kubelet kills TVM at the end of the grace period: it must cover the preStop pause ({preStop} s), SHUTDOWN_DELAY_SECONDS ({delay} s) and the slowest request in flight");
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task Scrape_annotations_point_at_the_declared_metrics_port(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();
        var annotations = rendered.Deployment().Spec.Template.Metadata.Annotations;

        annotations.Should().NotBeNull();
        annotations.Should().Contain("prometheus.io/scrape", "true");
        annotations.Should().Contain("prometheus.io/path", "/metrics");
        annotations.Should().ContainKey("prometheus.io/port");
        var port = int.Parse(annotations["prometheus.io/port"], NumberStyles.None, CultureInfo.InvariantCulture);

        var declared = (container.Ports ?? []).Where(p => p.Name == TvmManifest.MetricsPortName).ToList();
        declared.Should().ContainSingle("the container should declare its metrics port by name");
        declared[0].ContainerPort.Should().Be(port);
        port.Should().Be(rendered.MetricsPort(), "the annotation should name the port METRICS_PORT opens");
        port.Should().NotBe(rendered.ServingPort(), "metrics are never served on PORT");
        if (annotations.TryGetValue("prometheus.io/scheme", out var scheme))
        {
            scheme.Should().Be("http", "the metrics port is plain HTTP even when PORT serves HTTPS");
        }
    }

    [Fact]
    public async Task The_base_leaves_the_rate_limits_off()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.Base);

        foreach (var variable in new[] { TvmManifest.RateLimitPerIdentityVariable, TvmManifest.RateLimitBurstVariable, TvmManifest.AuthFailuresPerMinuteVariable })
        {
            rendered.EnvironmentValue(variable).Should().BeNull($"the base keeps TVM's default for {variable}; installations choose their limits");
        }
    }

    [Fact]
    public async Task The_example_installation_turns_the_rate_limits_on_with_room_for_a_deployments_pods_starting_together()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);

        int Setting(string variable)
        {
            var value = rendered.EnvironmentValue(variable);
            value.Should().NotBeNullOrEmpty($"the example installation should set {variable}");
            return int.Parse(value!, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        Setting(TvmManifest.RateLimitPerIdentityVariable).Should().BePositive();
        Setting(TvmManifest.AuthFailuresPerMinuteVariable).Should().BePositive();
        Setting(TvmManifest.RateLimitBurstVariable).Should().BeGreaterThanOrEqualTo(1000, "1000 pods of one service account starting together must all get credentials");
    }
}
