using k8s.Models;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

/// <summary>The example workload talks to the example installation: same audience, same Service address.</summary>
public sealed class ExampleWorkloadTests
{
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
    public async Task It_calls_the_installation_through_its_Service()
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
            url.Scheme.Should().Be("http");
            url.Host.Should().BeOneOf(
                $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc",
                $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.cluster.local");
            url.Port.Should().Be(service.Spec.Ports.Single().Port);
            url.AbsolutePath.Should().Be("/vend");
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
            foreach (var volume in (spec.Volumes ?? []).Where(v => v.ConfigMap != null))
            {
                examples.All<V1ConfigMap>().Should().Contain(c => c.Metadata.Name == volume.ConfigMap.Name && c.Metadata.NamespaceProperty == ns, $"{owner} mounts ConfigMap {volume.ConfigMap.Name}");
            }
        }
    }
}
