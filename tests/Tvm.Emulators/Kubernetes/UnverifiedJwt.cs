using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Tvm.Emulators.Kubernetes;

/// <summary>A name/UID pair from the <c>kubernetes.io</c> claim.</summary>
internal sealed record ObjectReference(string Name, string Uid);

/// <summary>
/// A compact JWS split into its parts with header and payload decoded, before any signature check.
/// Nothing here may be trusted until <see cref="JwtSigningKey.Verify"/> accepted <see cref="SigningInput"/>.
/// </summary>
internal sealed class UnverifiedJwt
{
    private UnverifiedJwt(byte[] signingInput, byte[] signature)
    {
        SigningInput = signingInput;
        Signature = signature;
    }

    public byte[] SigningInput { get; }
    public byte[] Signature { get; }
    public string? Algorithm { get; private set; }
    public string? KeyId { get; private set; }

    public string? Issuer { get; private set; }
    public string? Subject { get; private set; }
    public string? Id { get; private set; }
    public IReadOnlyList<string> Audiences { get; private set; } = [];
    public long? Expiry { get; private set; }
    public long? NotBefore { get; private set; }
    public long? IssuedAt { get; private set; }

    // Private claims of bound service-account tokens ("kubernetes.io": {...}).
    public string? Namespace { get; private set; }
    public ObjectReference? ServiceAccount { get; private set; }
    public ObjectReference? Pod { get; private set; }
    public ObjectReference? Node { get; private set; }

    // Private claims of legacy Secret-based tokens ("kubernetes.io/serviceaccount/...").
    public string? LegacyNamespace { get; private set; }
    public string? LegacySecretName { get; private set; }
    public string? LegacyServiceAccountName { get; private set; }
    public string? LegacyServiceAccountUid { get; private set; }

    /// <summary>
    /// Splits and decodes the token. Like the apiserver's issuer pre-check, anything that is not three
    /// base64url parts with JSON header and payload is simply not a JWT this authenticator handles.
    /// </summary>
    public static bool TryParse(string token, [NotNullWhen(true)] out UnverifiedJwt? jwt)
    {
        jwt = null;
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (secondDot < 0 || token.IndexOf('.', secondDot + 1) >= 0)
        {
            return false;
        }

        try
        {
            var header = Base64Url.DecodeFromChars(token.AsSpan(0, firstDot));
            var payload = Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, secondDot - firstDot - 1));
            var signature = Base64Url.DecodeFromChars(token.AsSpan(secondDot + 1));
            var parsed = new UnverifiedJwt(Encoding.ASCII.GetBytes(token, 0, secondDot), signature);
            if (!parsed.ReadHeader(header) || !parsed.ReadPayload(payload))
            {
                return false;
            }

            jwt = parsed;
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            // A payload that decodes but is not the JSON object of claims (a mutated token, say) is no JWT either.
            return false;
        }
    }

    private bool ReadHeader(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var claims = new ClaimReader(document.RootElement);
        Algorithm = claims.String("alg");
        KeyId = claims.String("kid");
        return claims.WellFormed;
    }

    private bool ReadPayload(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var claims = new ClaimReader(document.RootElement);
        Issuer = claims.String("iss");
        Subject = claims.String("sub");
        Id = claims.String("jti");
        Audiences = claims.Audiences("aud");
        Expiry = claims.NumericDate("exp");
        NotBefore = claims.NumericDate("nbf");
        IssuedAt = claims.NumericDate("iat");
        LegacyNamespace = claims.String(LegacyClaims.Namespace);
        LegacySecretName = claims.String(LegacyClaims.SecretName);
        LegacyServiceAccountName = claims.String(LegacyClaims.ServiceAccountName);
        LegacyServiceAccountUid = claims.String(LegacyClaims.ServiceAccountUid);

        if (claims.Object("kubernetes.io") is { } kubernetes)
        {
            var bound = new ClaimReader(kubernetes);
            Namespace = bound.String("namespace");
            ServiceAccount = bound.Reference("serviceaccount");
            Pod = bound.Reference("pod");
            Node = bound.Reference("node");
            return claims.WellFormed && bound.WellFormed;
        }

        return claims.WellFormed;
    }

    /// <summary>
    /// Reads optional claims of one JSON object; a claim of the wrong JSON type makes the whole token
    /// malformed, as it would fail go-jose's typed unmarshalling.
    /// </summary>
    private sealed class ClaimReader(JsonElement claims)
    {
        public bool WellFormed { get; private set; } = claims.ValueKind == JsonValueKind.Object;

        public string? String(string name) =>
            Find(name, JsonValueKind.String) is { } value ? value.GetString() : null;

        public JsonElement? Object(string name) => Find(name, JsonValueKind.Object);

        // NumericDate: seconds since the epoch; the RFC allows fractions, which go-jose truncates.
        public long? NumericDate(string name)
        {
            if (Find(name, JsonValueKind.Number) is not { } value)
            {
                return null;
            }

            if (value.TryGetInt64(out var seconds))
            {
                return seconds;
            }

            if (value.TryGetDouble(out var fractional) && fractional is > long.MinValue and < long.MaxValue)
            {
                return (long)fractional;
            }

            WellFormed = false;
            return null;
        }

        // "aud" may be a single string or an array of strings (RFC 7519 section 4.1.3).
        public List<string> Audiences(string name)
        {
            if (!WellFormed || !claims.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return [value.GetString()!];
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                var audiences = new List<string>(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        WellFormed = false;
                        return [];
                    }

                    audiences.Add(item.GetString()!);
                }

                return audiences;
            }

            WellFormed = false;
            return [];
        }

        public ObjectReference? Reference(string name)
        {
            if (Object(name) is not { } value)
            {
                return null;
            }

            var reference = new ClaimReader(value);
            var referenceName = reference.String("name");
            var uid = reference.String("uid");
            WellFormed &= reference.WellFormed;
            return new ObjectReference(referenceName ?? string.Empty, uid ?? string.Empty);
        }

        private JsonElement? Find(string name, JsonValueKind expected)
        {
            if (!WellFormed || !claims.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != expected)
            {
                WellFormed = false;
                return null;
            }

            return value;
        }
    }
}
