using k8s.Models;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

/// <summary>The example workload talks to the example installation: same audience, same Service address.</summary>
public sealed class ExampleWorkloadTests
{
    private const string FullUri = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    private const string TokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

    /// <summary>TVM's CA, which the platform team copies into workload namespaces (docs/deploy.md); not part of the examples.</summary>
    private const string TvmCaConfigMap = "token-vending-machine-ca";

    [Fact]
    public async Task Its_token_carries_an_audience_the_installation_accepts()
    {
        var installation = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var examples = await RenderedManifests.RenderAsync(RenderedManifests.Examples);
        var accepted = (installation.EnvironmentValue(EnvironmentNames.TokenAudiences) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        accepted.Should().NotBeEmpty("the example installation should require an audience of its own");

        var projections = examples.PodSpecs()
            .SelectMany(pod => (pod.Spec.Volumes ?? []).SelectMany(v => v.Projected?.Sources ?? []))
            .Select(source => source.ServiceAccountToken)
            .OfType<V1ServiceAccountTokenProjection>()
            .ToList();
        projections.Should().NotBeEmpty("the example should project a token for TVM");
        foreach (var token in projections)
        {
            token.Audience.Should().BeOneOf(accepted);
            token.ExpirationSeconds.Should().BeInRange(600, 86400);
        }
    }

    [Fact]
    public async Task The_curl_example_calls_vend_through_the_Service()
    {
        var installation = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var examples = await RenderedManifests.RenderAsync(RenderedManifests.Examples);
        var service = installation.Single<V1Service>(TvmManifest.Name);

        var urls = examples.PodSpecs()
            .SelectMany(pod => pod.Spec.Containers)
            .SelectMany(c => c.Env ?? [])
            .Where(e => e.Name == "TVM_URL")
            .Select(e => new Uri(e.Value))
            .ToList();
        urls.Should().NotBeEmpty();
        foreach (var url in urls)
        {
            url.Scheme.Should().Be(installation.ServesTls() ? "https" : "http", "TVM serves one protocol on its port");
            url.Host.Should().BeOneOf(service.ServiceDnsNames().Skip(2));
            url.Port.Should().Be(service.Spec.Ports.Single().Port);
            url.AbsolutePath.Should().Be("/vend");
        }
    }

    [Fact]
    public async Task The_SDK_example_points_both_container_credentials_variables_at_TVM()
    {
        var installation = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var examples = await RenderedManifests.RenderAsync(RenderedManifests.Examples);
        var service = installation.Single<V1Service>(TvmManifest.Name);

        var users = ContainerCredentialsUsers(examples);
        users.Should().NotBeEmpty("an example should use TVM through the SDKs' container-credentials provider");
        foreach (var (owner, spec, container) in users)
        {
            var env = (container.Env ?? []).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
            var uri = new Uri(env[FullUri]);
            uri.Scheme.Should().Be("https", $"{owner}: SDKs send the token over plain HTTP only to loopback and link-local addresses");
            uri.Host.Should().BeOneOf(service.ServiceDnsNames().Skip(2), owner);
            uri.Port.Should().Be(service.Spec.Ports.Single().Port, owner);
            uri.AbsolutePath.Should().Be("/v1/credentials", owner);

            env.Should().ContainKey(TokenFile, owner);
            var tokenFile = env[TokenFile];
            var projected = (spec.Volumes ?? [])
                .Where(v => v.Projected?.Sources?.Any(s => s.ServiceAccountToken != null) == true)
                .SelectMany(v => (container.VolumeMounts ?? []).Where(m => m.Name == v.Name && string.IsNullOrEmpty(m.SubPath))
                    .SelectMany(m => v.Projected.Sources.Where(s => s.ServiceAccountToken != null)
                        .Select(s => (Path: $"{m.MountPath.TrimEnd('/')}/{s.ServiceAccountToken.Path}", Token: s.ServiceAccountToken))))
                .ToList();
            projected.Select(p => p.Path).Should().Contain(tokenFile, $"{owner}: the token file should be the projected token (mount path + path), so the kubelet keeps it fresh");
            var token = projected.Single(p => p.Path == tokenFile).Token;
            token.Audience.Should().Be("tvm");
            token.ExpirationSeconds.Should().BeInRange(600, 86400);
        }
    }

    [Fact]
    public async Task The_SDK_example_reaches_a_port_the_NetworkPolicy_opens()
    {
        var installation = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var examples = await RenderedManifests.RenderAsync(RenderedManifests.Examples);
        var service = installation.Single<V1Service>(TvmManifest.Name);
        var container = installation.Container();
        var policy = installation.Single<V1NetworkPolicy>(TvmManifest.Name);

        foreach (var (owner, _, workload) in ContainerCredentialsUsers(examples))
        {
            var uri = new Uri(workload.Env.Single(e => e.Name == FullUri).Value);
            var servicePort = service.Spec.Ports.Single(p => p.Port == uri.Port);
            var podPort = container.ResolvePort(servicePort.TargetPort);

            var admitting = policy.Spec.Ingress.Where(rule =>
                (rule.Ports ?? []).Any(p => container.ResolvePort(p.Port) == podPort)
                && (rule.FromProperty is null or { Count: 0 }
                    || rule.FromProperty.Any(peer => peer.NamespaceSelector is { MatchLabels: null or { Count: 0 }, MatchExpressions: null or { Count: 0 } } && peer.PodSelector is null)));
            admitting.Should().NotBeEmpty($"{owner} in another namespace should be let through to port {podPort}");
        }
    }

    [Fact]
    public async Task It_brings_its_own_service_account_and_script()
    {
        var examples = await RenderedManifests.RenderAsync(RenderedManifests.Examples);
        var pods = examples.PodSpecs();
        pods.Should().NotBeEmpty();

        foreach (var (owner, ns, spec, _) in pods)
        {
            spec.ServiceAccountName.Should().NotBeNullOrEmpty(owner);
            examples.All<V1ServiceAccount>().Should().Contain(sa => sa.Metadata.Name == spec.ServiceAccountName && sa.Metadata.NamespaceProperty == ns, owner);
            foreach (var volume in (spec.Volumes ?? []).Where(v => v.ConfigMap != null && v.ConfigMap.Name != TvmCaConfigMap))
            {
                examples.All<V1ConfigMap>().Should().Contain(c => c.Metadata.Name == volume.ConfigMap.Name && c.Metadata.NamespaceProperty == ns, $"{owner} mounts ConfigMap {volume.ConfigMap.Name}");
            }
        }
    }

    [Fact]
    public async Task Every_example_that_calls_TVM_over_HTTPS_trusts_its_CA()
    {
        var installation = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var examples = await RenderedManifests.RenderAsync(RenderedManifests.Examples);
        installation.ServesTls().Should().BeTrue();

        foreach (var (owner, _, spec, _) in examples.PodSpecs())
        {
            var ca = (spec.Volumes ?? []).Where(v => v.ConfigMap?.Name == TvmCaConfigMap).ToList();
            ca.Should().ContainSingle($"{owner} should mount TVM's CA from the ConfigMap {TvmCaConfigMap}");
            (ca[0].ConfigMap.Items ?? []).Should().OnlyContain(i => i.Key == "ca.crt");
            (ca[0].ConfigMap.Optional ?? false).Should().BeFalse($"{owner} should wait for the CA rather than start without it");
        }
    }

    private static List<(string Owner, V1PodSpec Spec, V1Container Container)> ContainerCredentialsUsers(RenderedManifests examples) =>
        examples.PodSpecs()
            .SelectMany(pod => pod.Spec.Containers.Select(c => (pod.Owner, pod.Spec, Container: c)))
            .Where(x => (x.Container.Env ?? []).Any(e => e.Name == FullUri))
            .ToList();
}
