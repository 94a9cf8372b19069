using System.Globalization;
using k8s.Models;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

public sealed class TvmDeploymentTests
{
    public static TheoryData<string> Installations => TvmManifest.Installations;

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task Readiness_asks_readyz_and_liveness_healthz_on_the_port_TVM_listens_on(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();
        var listening = rendered.EnvironmentValue(EnvironmentNames.Port);
        listening.Should().NotBeNull("the Deployment should set PORT, so the probes do not depend on a default");
        var scheme = rendered.ServesTls() ? "HTTPS" : "HTTP";

        // /readyz turns 503 once TVM is asked to stop, which takes a draining pod out of the Service; /healthz
        // does not, so liveness never restarts a pod that is finishing its requests.
        var probes = new Dictionary<string, (V1Probe? Probe, string Path)>(StringComparer.Ordinal)
        {
            ["liveness"] = (container.LivenessProbe, "/healthz"),
            ["readiness"] = (container.ReadinessProbe, "/readyz"),
        };
        if (container.StartupProbe is not null)
        {
            probes["startup"] = (container.StartupProbe, "/healthz");
        }

        foreach (var (kind, (probe, path)) in probes)
        {
            probe.Should().NotBeNull($"TVM should have a {kind} probe");
            probe!.HttpGet.Should().NotBeNull($"the {kind} probe should be an HTTP GET");
            probe.HttpGet.Path.Should().Be(path, kind);
            (probe.HttpGet.Scheme ?? "HTTP").Should().Be(scheme, $"the {kind} probe should speak what PORT serves");
            container.ResolvePort(probe.HttpGet.Port).Should().Be(int.Parse(listening!, CultureInfo.InvariantCulture), kind);
        }

        rendered.ServingPort().Should().Be(int.Parse(listening!, CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task The_policy_template_is_mounted_where_POLICY_TEMPLATE_PATH_points(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();
        var templatePath = rendered.EnvironmentValue(EnvironmentNames.PolicyTemplatePath) ?? TvmOptions.DefaultPolicyTemplatePath;

        var mount = (container.VolumeMounts ?? []).SingleOrDefault(m =>
            m.SubPath is { Length: > 0 } ? m.MountPath == templatePath : templatePath.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
        mount.Should().NotBeNull($"a volume should be mounted at {templatePath} or at its directory");
        mount!.ReadOnlyProperty.Should().BeTrue("TVM only reads its template");

        var volume = rendered.Deployment().Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name);
        volume.ConfigMap.Should().NotBeNull("the template should come from the generated ConfigMap");
        var fileName = mount.SubPath is { Length: > 0 } ? mount.SubPath : templatePath[(mount.MountPath.TrimEnd('/').Length + 1)..];
        var key = volume.ConfigMap.Items is { Count: > 0 } items ? items.Single(i => i.Path == fileName).Key : fileName;

        var configMap = rendered.Single<V1ConfigMap>(volume.ConfigMap.Name);
        configMap.Metadata.Name.Should().StartWith(TvmManifest.PolicyConfigMap + "-", "a generated name with a content hash rolls the pods when the template changes");
        configMap.Data.Should().ContainKey(key);
        configMap.Data[key].Should().Be(RepositoryPaths.ReadAllText("manifests/base/policy.json"));
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task Settings_come_from_the_generated_ConfigMap(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var settings = rendered.GeneratedConfigMap(TvmManifest.SettingsConfigMap);

        rendered.Container().EnvFrom.Should().Contain(e => e.ConfigMapRef != null && e.ConfigMapRef.Name == settings.Metadata.Name);
        string[] expected =
        [
            EnvironmentNames.RoleArn,
            EnvironmentNames.Region,
            EnvironmentNames.LogLevel,
            EnvironmentNames.SessionDurationSeconds,
            EnvironmentNames.TokenAudiences,
            TvmManifest.ShutdownDelayVariable,
        ];
        if (directory == RenderedManifests.ExampleOverlay)
        {
            expected = [.. expected, TvmManifest.RateLimitPerIdentityVariable, TvmManifest.RateLimitBurstVariable, TvmManifest.AuthFailuresPerMinuteVariable];
        }

        settings.Data.Keys.Should().BeEquivalentTo(expected);
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task AWS_credentials_come_only_from_the_Secret_created_by_hand(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var container = rendered.Container();

        rendered.All<V1Secret>().Should().BeEmpty("no credentials, not even placeholders, belong in the manifests");

        var secretKeys = (container.Env ?? []).Where(e => e.ValueFrom?.SecretKeyRef != null).ToList();
        secretKeys.Select(e => e.Name).Should().BeEquivalentTo("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        foreach (var variable in secretKeys)
        {
            variable.ValueFrom.SecretKeyRef.Name.Should().Be(TvmManifest.AwsSecret);
            variable.ValueFrom.SecretKeyRef.Key.Should().Be(variable.Name);
            variable.ValueFrom.SecretKeyRef.Optional.Should().BeTrue("clusters using IRSA have no such Secret");
        }

        (container.EnvFrom ?? []).Should().NotContain(e => e.SecretRef != null, "only the two named keys should be read from the Secret");
        (container.Env ?? []).Where(e => e.Name.StartsWith("AWS_", StringComparison.Ordinal) && e.ValueFrom == null)
            .Should().BeEmpty("AWS settings belong in the ConfigMap and credentials in the Secret");
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task TVM_runs_as_its_own_service_account_with_its_token_mounted(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var spec = rendered.Deployment().Spec.Template.Spec;

        spec.ServiceAccountName.Should().Be(TvmManifest.Name);
        rendered.Single<V1ServiceAccount>(TvmManifest.Name).Metadata.NamespaceProperty.Should().Be(TvmManifest.Namespace);
        spec.AutomountServiceAccountToken.Should().BeTrue("TVM authenticates its TokenReview calls with its own token");
    }

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task Replicas_spread_and_survive_a_drain(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var deployment = rendered.Deployment();
        var podLabels = deployment.Spec.Template.Metadata.Labels;
        var minReplicas = rendered.Autoscaler().Spec.MinReplicas;

        deployment.Spec.Replicas.Should().BeNull("the autoscaler owns the replica count; a count in the manifests would be reset on every apply");
        minReplicas.Should().BeGreaterThanOrEqualTo(2);
        deployment.Spec.Selector.MatchLabels.Selects(podLabels).Should().BeTrue();
        deployment.Spec.Template.Spec.TopologySpreadConstraints.Select(c => c.TopologyKey)
            .Should().BeEquivalentTo("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        deployment.Spec.Template.Spec.TopologySpreadConstraints
            .Should().OnlyContain(c => c.LabelSelector.MatchLabels.Selects(podLabels));

        var budget = rendered.Single<V1PodDisruptionBudget>(TvmManifest.Name);
        budget.Spec.Selector.MatchLabels.Selects(podLabels).Should().BeTrue("the budget should protect TVM's pods");
        if (budget.Spec.MaxUnavailable is { } maxUnavailable)
        {
            int.Parse(maxUnavailable.Value, CultureInfo.InvariantCulture).Should().Be(1, "drains should take one replica at a time, at any scale");
        }
        else
        {
            budget.Spec.MinAvailable.Should().NotBeNull("the budget should bound drains");
            var minAvailable = int.Parse(budget.Spec.MinAvailable!.Value, CultureInfo.InvariantCulture);
            minAvailable.Should().BeGreaterThanOrEqualTo(1).And.BeLessThan(minReplicas!.Value, "a drain must be able to evict one pod");
        }
    }

    [Fact]
    public async Task The_example_installation_pins_its_image()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var image = rendered.Container().Image;

        var pinned = image.Contains("@sha256:", StringComparison.Ordinal)
            || (image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal));
        pinned.Should().BeTrue($"'{image}' should carry a version tag or digest");
    }
}
