using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tvm.Tests.Containers;

/// <summary>Service-account JWTs made into forgeries that only signature verification can tell apart.</summary>
public static class ForgedTokens
{
    /// <summary>The same header and claims, signed with a fresh key of the same kind the cluster never trusted.</summary>
    public static string ResignedWithForeignKey(string jwt)
    {
        var (header, payload, _) = Split(jwt);
        var signingInput = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var algorithm = ReadJson(header)["alg"]?.GetValue<string>() ?? "RS256";
        byte[] signature;
        if (algorithm.StartsWith("ES", StringComparison.Ordinal))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            signature = key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        else
        {
            using var key = RSA.Create(2048);
            signature = key.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        return $"{header}.{payload}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The genuine signature over claims changed afterwards: here, the subject of another service account.</summary>
    public static string WithSubject(string jwt, string subject)
    {
        var (header, payload, signature) = Split(jwt);
        var claims = ReadJson(payload);
        claims["sub"] = subject;
        var altered = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return $"{header}.{altered}.{signature}";
    }

    private static (string Header, string Payload, string Signature) Split(string jwt)
    {
        var parts = jwt.Split('.');
        parts.Should().HaveCount(3, "a service-account token is a signed JWT");
        return (parts[0], parts[1], parts[2]);
    }

    private static JsonObject ReadJson(string segment) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(segment))!.AsObject();
}
