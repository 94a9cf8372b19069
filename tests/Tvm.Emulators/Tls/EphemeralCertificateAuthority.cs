using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tvm.Emulators.Tls;

/// <summary>
/// A throwaway certificate authority that lives only in memory, plus the serving certificate it issues for the
/// loopback address, so clients can verify TLS against the CA exactly as they would a cluster's CA bundle.
/// </summary>
public sealed class EphemeralCertificateAuthority : IDisposable
{
    // Long enough for a sandbox left running for weeks; the certificates never leave the process.
    private static readonly TimeSpan Validity = TimeSpan.FromDays(90);
    private static readonly TimeSpan BackdateForClockSkew = TimeSpan.FromMinutes(5);

    private readonly X509Certificate2 authority;

    private EphemeralCertificateAuthority(X509Certificate2 authority, X509Certificate2 serverCertificate, string serverKeyPem)
    {
        this.authority = authority;
        ServerCertificate = serverCertificate;
        CertificatePem = authority.ExportCertificatePem();
        ServerChainPem = serverCertificate.ExportCertificatePem() + "\n" + CertificatePem + "\n";
        ServerKeyPem = serverKeyPem;
    }

    /// <summary>The CA certificate, for a client's trust store.</summary>
    public X509Certificate2 Authority => authority;

    /// <summary>The serving certificate followed by the CA, as cert-manager writes <c>tls.crt</c>.</summary>
    public string ServerChainPem { get; }

    /// <summary>The serving certificate's private key, PKCS#8 PEM, as <c>tls.key</c>.</summary>
    public string ServerKeyPem { get; }

    /// <summary>The CA certificate in PEM, as a kubeconfig's <c>certificate-authority-data</c> holds it.</summary>
    public string CertificatePem { get; }

    /// <summary>Serving certificate with private key for <c>127.0.0.1</c> and <c>localhost</c>.</summary>
    public X509Certificate2 ServerCertificate { get; }

    public static EphemeralCertificateAuthority Create(string commonName)
    {
        var notBefore = DateTimeOffset.UtcNow - BackdateForClockSkew;
        var notAfter = notBefore + Validity;

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN={commonName}-ca", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, critical: false));
        using var authorityWithKey = authorityRequest.CreateSelfSigned(notBefore, notAfter + TimeSpan.FromDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={commonName}", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        var alternativeNames = new SubjectAlternativeNameBuilder();
        alternativeNames.AddIpAddress(IPAddress.Loopback);
        alternativeNames.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(alternativeNames.Build(critical: false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, critical: false));
        serverRequest.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authorityWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        using var issued = serverRequest.Create(authorityWithKey, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var issuedWithKey = issued.CopyWithPrivateKey(serverKey);

        // On Linux an ephemeral key pair from CertificateRequest cannot back an SslStream server certificate;
        // a round trip through PKCS#12 gives a certificate whose key the TLS stack can use.
        var serverCertificate = X509CertificateLoader.LoadPkcs12(issuedWithKey.Export(X509ContentType.Pkcs12), password: null);
        var authorityPublic = X509CertificateLoader.LoadCertificate(authorityWithKey.RawData);
        return new EphemeralCertificateAuthority(authorityPublic, serverCertificate, serverKey.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        authority.Dispose();
    }
}
