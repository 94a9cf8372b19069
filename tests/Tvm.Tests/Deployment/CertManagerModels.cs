using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Tvm.Tests.Deployment;

/// <summary>
/// The cert-manager objects the TLS component renders (cert-manager.io/v1), with the fields the manifests use.
/// Loading stays strict: a field missing here is a field the manifests should not be writing.
/// </summary>
internal static class CertManagerModels
{
    public const string ApiVersion = "cert-manager.io/v1";

    /// <summary>The extra kinds for <see cref="KubernetesYaml.LoadAllFromString"/>, keyed as it expects.</summary>
    public static IDictionary<string, Type> TypeMap { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [$"{ApiVersion}/Certificate"] = typeof(Certificate),
        [$"{ApiVersion}/Issuer"] = typeof(Issuer),
        [$"{ApiVersion}/ClusterIssuer"] = typeof(Issuer),
    };
}

internal sealed class Certificate : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public CertificateSpec Spec { get; set; } = new();
}

internal sealed class CertificateSpec
{
    public string SecretName { get; set; } = "";

    public List<string>? DnsNames { get; set; }

    public string? CommonName { get; set; }

    [YamlMember(Alias = "isCA", ApplyNamingConventions = false)]
    public bool? IsCA { get; set; }

    public string? Duration { get; set; }

    public string? RenewBefore { get; set; }

    public CertificatePrivateKey? PrivateKey { get; set; }

    public List<string>? Usages { get; set; }

    public IssuerReference IssuerRef { get; set; } = new();
}

internal sealed class CertificatePrivateKey
{
    public string? Algorithm { get; set; }

    public int? Size { get; set; }

    public string? Encoding { get; set; }

    public string? RotationPolicy { get; set; }
}

internal sealed class IssuerReference
{
    public string? Group { get; set; }

    public string? Kind { get; set; }

    public string Name { get; set; } = "";
}

internal sealed class Issuer : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public IssuerSpec Spec { get; set; } = new();
}

internal sealed class IssuerSpec
{
    public SelfSignedIssuer? SelfSigned { get; set; }

    public CaIssuer? Ca { get; set; }
}

internal sealed class SelfSignedIssuer
{
}

internal sealed class CaIssuer
{
    public string SecretName { get; set; } = "";
}
