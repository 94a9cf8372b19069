using k8s.Models;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

/// <summary>
/// The TLS component (manifests/components/tls), as the example installation uses it: a cert-manager certificate
/// for every name of the Service, mounted where TLS_CERT_PATH and TLS_KEY_PATH point, and HTTPS on probes and
/// Service. The base without it stays plain HTTP.
/// </summary>
public sealed class TlsComponentTests
{
    [Fact]
    public async Task The_certificate_covers_every_name_of_the_Service()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var service = rendered.Single<V1Service>(TvmManifest.Name);

        var certificate = ServingCertificate(rendered);
        certificate.Metadata.NamespaceProperty.Should().Be(service.Metadata.NamespaceProperty, "the Secret it writes must be in TVM's namespace to be mounted");
        certificate.Spec.DnsNames.Should().BeEquivalentTo(service.ServiceDnsNames());
    }

    [Fact]
    public async Task The_certificate_is_signed_by_a_CA_issued_in_TVMs_namespace()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var certificate = ServingCertificate(rendered);

        certificate.Spec.IssuerRef.Kind.Should().Be("Issuer", "a namespaced issuer: only who may create Certificates in TVM's namespace gets a certificate workloads trust for TVM");
        var issuer = rendered.All<Issuer>().Single(i => i.Metadata.Name == certificate.Spec.IssuerRef.Name);
        issuer.Metadata.NamespaceProperty.Should().Be(TvmManifest.Namespace);
        issuer.Spec.Ca.Should().NotBeNull("workloads trust one CA, not each serving certificate");

        var ca = rendered.All<Certificate>().Single(c => c.Spec.SecretName == issuer.Spec.Ca!.SecretName);
        ca.Spec.IsCA.Should().BeTrue();
        ca.Metadata.NamespaceProperty.Should().Be(TvmManifest.Namespace);
        ca.Spec.PrivateKey?.RotationPolicy.Should().Be("Never", "a renewed CA keeps its key, so the copies workloads hold stay valid");
        var root = rendered.All<Issuer>().Single(i => i.Metadata.Name == ca.Spec.IssuerRef.Name);
        root.Spec.SelfSigned.Should().NotBeNull();
    }

    [Fact]
    public async Task TLS_CERT_PATH_and_TLS_KEY_PATH_point_into_the_read_only_Secret_volume_of_that_certificate()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var container = rendered.Container();
        var certificate = ServingCertificate(rendered);

        var volume = rendered.Deployment().Spec.Template.Spec.Volumes.Single(v => v.Secret?.SecretName == certificate.Spec.SecretName);
        var mount = (container.VolumeMounts ?? []).Single(m => m.Name == volume.Name);
        mount.ReadOnlyProperty.Should().BeTrue("TVM only reads its certificate and key");
        mount.SubPath.Should().BeNullOrEmpty("a subPath mount would never see a renewed certificate");

        var directory = mount.MountPath.TrimEnd('/');
        rendered.EnvironmentValue(EnvironmentNames.TlsCertPath).Should().Be($"{directory}/tls.crt", "cert-manager writes the certificate and its chain to tls.crt");
        rendered.EnvironmentValue(EnvironmentNames.TlsKeyPath).Should().Be($"{directory}/tls.key");
        (volume.Secret.Items ?? []).Should().BeEmpty("the whole Secret is mounted, so both files are replaced together");

        var templatePath = rendered.EnvironmentValue(EnvironmentNames.PolicyTemplatePath)!;
        var templateDirectory = templatePath[..templatePath.LastIndexOf('/')];
        directory.Should().NotStartWith(templateDirectory + "/", "a mount inside the read-only template mount cannot be created");
    }

    [Fact]
    public async Task Probes_and_the_Service_speak_HTTPS_on_the_same_port_as_the_base()
    {
        var installation = await RenderedManifests.RenderAsync(RenderedManifests.ExampleOverlay);
        var plain = await RenderedManifests.RenderAsync(RenderedManifests.Base);
        var container = installation.Container();

        installation.ServesTls().Should().BeTrue();
        installation.ServingPort().Should().Be(plain.ServingPort(), "TLS changes the protocol, not the port the NetworkPolicy opens");
        container.Ports.Single(p => p.ContainerPort == installation.ServingPort()).Name.Should().Be("https");
        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
        {
            probe.Should().NotBeNull();
            probe!.HttpGet.Scheme.Should().Be("HTTPS", "TVM answers only HTTPS once TLS_CERT_PATH is set");
            container.ResolvePort(probe.HttpGet.Port).Should().Be(installation.ServingPort());
        }

        var port = installation.Single<V1Service>(TvmManifest.Name).Spec.Ports.Single();
        port.Name.Should().Be("https");
        port.AppProtocol.Should().Be("https");
        port.Port.Should().Be(443, "so that https://token-vending-machine.token-vending-machine.svc/ needs no port");
        container.ResolvePort(port.TargetPort).Should().Be(installation.ServingPort());
    }

    [Fact]
    public async Task The_base_alone_stays_plain_HTTP()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.Base);
        var container = rendered.Container();

        rendered.ServesTls().Should().BeFalse();
        rendered.EnvironmentValue(EnvironmentNames.TlsCertPath).Should().BeNull();
        rendered.EnvironmentValue(EnvironmentNames.TlsKeyPath).Should().BeNull();
        rendered.All<Certificate>().Should().BeEmpty();
        rendered.All<Issuer>().Should().BeEmpty();
        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
        {
            (probe!.HttpGet.Scheme ?? "HTTP").Should().Be("HTTP");
        }

        var port = rendered.Single<V1Service>(TvmManifest.Name).Spec.Ports.Single();
        port.Name.Should().Be("http");
        port.Port.Should().Be(80);
    }

    private static Certificate ServingCertificate(RenderedManifests rendered)
    {
        var serving = rendered.All<Certificate>().Where(c => c.Spec.IsCA != true).ToList();
        serving.Should().ContainSingle("the TLS component should render one serving certificate for TVM");
        return serving[0];
    }
}
