using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// An RS256 key pair that signs and verifies compact JWS tokens the way kube-apiserver's service-account token
/// signer does: header <c>{"alg":"RS256","kid":...}</c> with the key ID derived from the public key.
/// </summary>
/// <remarks>
/// The signature providers are created once and reused: Microsoft.IdentityModel pools the underlying RSA
/// adapters, which makes them safe to share across threads and keeps key import off the per-request path.
/// </remarks>
internal sealed class JwtSigningKey : IDisposable
{
    private const string SigningAlgorithm = "RS256";

    private readonly RSA rsa;
    private readonly CryptoProviderFactory cryptoProviders;
    private readonly SignatureProvider signer;
    private readonly SignatureProvider verifier;
    private readonly string encodedHeader;

    private JwtSigningKey(RSA rsa)
    {
        this.rsa = rsa;
        KeyId = DeriveKeyId(rsa);
        // A private factory so that these providers never land in (or get evicted from) the process-wide cache.
        cryptoProviders = new CryptoProviderFactory { CacheSignatureProviders = false };
        var securityKey = new RsaSecurityKey(rsa) { KeyId = KeyId };
        signer = cryptoProviders.CreateForSigning(securityKey, SecurityAlgorithms.RsaSha256);
        verifier = cryptoProviders.CreateForVerifying(securityKey, SecurityAlgorithms.RsaSha256);
        encodedHeader = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $$"""{"alg":"{{SigningAlgorithm}}","kid":"{{KeyId}}"}"""));
    }

    /// <summary>The <c>kid</c> header: base64url(SHA-256(DER SubjectPublicKeyInfo)), as Kubernetes derives it.</summary>
    public string KeyId { get; }

    public static JwtSigningKey Generate() => new(RSA.Create(2048));

    /// <summary>Signs <paramref name="payloadJson"/> and returns the compact serialization header.payload.signature.</summary>
    public string Sign(ReadOnlySpan<byte> payloadJson)
    {
        var signingInput = string.Concat(encodedHeader, ".", Base64Url.EncodeToString(payloadJson));
        var signature = signer.Sign(Encoding.ASCII.GetBytes(signingInput));
        return string.Concat(signingInput, ".", Base64Url.EncodeToString(signature));
    }

    public bool Verify(byte[] signingInput, byte[] signature) => verifier.Verify(signingInput, signature);

    public void Dispose()
    {
        cryptoProviders.ReleaseSignatureProvider(signer);
        cryptoProviders.ReleaseSignatureProvider(verifier);
        rsa.Dispose();
    }

    private static string DeriveKeyId(RSA key) =>
        Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
}
