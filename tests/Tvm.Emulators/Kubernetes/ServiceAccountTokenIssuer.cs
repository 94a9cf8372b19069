using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// Mints tokens with the exact claim layout of the real cluster: bound (projected) service-account tokens as the
/// TokenRequest API issues them, legacy Secret-based service-account tokens, and plain user tokens standing in
/// for an OIDC identity provider. Keys are written in sorted order, as Go's JSON encoder emits the merged claims.
/// </summary>
internal sealed class ServiceAccountTokenIssuer(ClusterInventory inventory, TimeProvider clock)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    // The alphabet of k8s.io/apimachinery's rand.String, used for generated object name suffixes.
    private const string NameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public string MintProjected(
        JwtSigningKey key,
        string @namespace,
        string serviceAccount,
        IEnumerable<string>? audiences,
        TimeSpan? lifetime,
        string? podName,
        string? nodeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);

        var tokenAudiences = audiences?.ToArray() is { Length: > 0 } given
            ? given
            : [KubernetesApiEmulator.DefaultAudience];
        var serviceAccountUid = inventory.EnsureServiceAccount(@namespace, serviceAccount);
        var (issuedAt, expiresAt) = Validity(lifetime);

        return key.Sign(WriteJson(writer =>
        {
            writer.WriteStartObject();
            WriteAudiences(writer, tokenAudiences);
            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            writer.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            writer.WriteString("iss", KubernetesApiEmulator.Issuer);
            writer.WriteString("jti", Guid.NewGuid().ToString("D"));
            writer.WriteStartObject("kubernetes.io");
            writer.WriteString("namespace", @namespace);
            // The kubelet requests pod-bound tokens; the node claim is that of the pod's node, so it only
            // accompanies a pod.
            if (podName is not null)
            {
                if (nodeName is not null)
                {
                    WriteReference(writer, "node", nodeName, inventory.EnsureNode(nodeName));
                }

                WriteReference(writer, "pod", podName, inventory.EnsurePod(@namespace, podName));
            }

            WriteReference(writer, "serviceaccount", serviceAccount, serviceAccountUid);
            writer.WriteEndObject();
            writer.WriteNumber("nbf", issuedAt.ToUnixTimeSeconds());
            writer.WriteString("sub", ServiceAccountUsername(@namespace, serviceAccount));
            writer.WriteEndObject();
        }));
    }

    public string MintLegacy(JwtSigningKey key, string @namespace, string serviceAccount, string? secretName)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);

        var serviceAccountUid = inventory.EnsureServiceAccount(@namespace, serviceAccount);
        secretName ??= $"{serviceAccount}-token-{RandomNameSuffix()}";

        // Legacy tokens carry neither exp, iat nor aud: they live as long as their Secret.
        return key.Sign(WriteJson(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("iss", KubernetesApiEmulator.LegacyIssuer);
            writer.WriteString(LegacyClaims.Namespace, @namespace);
            writer.WriteString(LegacyClaims.SecretName, secretName);
            writer.WriteString(LegacyClaims.ServiceAccountName, serviceAccount);
            writer.WriteString(LegacyClaims.ServiceAccountUid, serviceAccountUid);
            writer.WriteString("sub", ServiceAccountUsername(@namespace, serviceAccount));
            writer.WriteEndObject();
        }));
    }

    public string MintUser(JwtSigningKey key, string username, IEnumerable<string>? audiences)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);

        var tokenAudiences = audiences?.ToArray() is { Length: > 0 } given
            ? given
            : [KubernetesApiEmulator.DefaultAudience];
        var (issuedAt, expiresAt) = Validity(lifetime: null);

        return key.Sign(WriteJson(writer =>
        {
            writer.WriteStartObject();
            WriteAudiences(writer, tokenAudiences);
            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            writer.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            writer.WriteString("iss", KubernetesApiEmulator.UserIssuer);
            writer.WriteString("jti", Guid.NewGuid().ToString("D"));
            writer.WriteNumber("nbf", issuedAt.ToUnixTimeSeconds());
            writer.WriteString("sub", username);
            writer.WriteEndObject();
        }));
    }

    public static string ServiceAccountUsername(string @namespace, string serviceAccount) =>
        $"system:serviceaccount:{@namespace}:{serviceAccount}";

    /// <summary>
    /// A negative lifetime mints a token that expired that long ago (issued one default lifetime before its
    /// expiry), which is how tests obtain expired tokens.
    /// </summary>
    private (DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt) Validity(TimeSpan? lifetime)
    {
        var now = clock.GetUtcNow();
        var span = lifetime ?? DefaultLifetime;
        var expiresAt = now + span;
        var issuedAt = span > TimeSpan.Zero ? now : expiresAt - DefaultLifetime;
        return (issuedAt, expiresAt);
    }

    private static void WriteAudiences(Utf8JsonWriter writer, string[] audiences)
    {
        writer.WriteStartArray("aud");
        foreach (var audience in audiences)
        {
            writer.WriteStringValue(audience);
        }

        writer.WriteEndArray();
    }

    private static void WriteReference(Utf8JsonWriter writer, string propertyName, string name, string uid)
    {
        writer.WriteStartObject(propertyName);
        writer.WriteString("name", name);
        writer.WriteString("uid", uid);
        writer.WriteEndObject();
    }

    private static ReadOnlySpan<byte> WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, KubernetesJson.WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan;
    }

    private static string RandomNameSuffix() => RandomNumberGenerator.GetString(NameSuffixAlphabet, 5);
}

/// <summary>Private claim names of legacy Secret-based service-account tokens.</summary>
internal static class LegacyClaims
{
    public const string Namespace = "kubernetes.io/serviceaccount/namespace";
    public const string SecretName = "kubernetes.io/serviceaccount/secret.name";
    public const string ServiceAccountName = "kubernetes.io/serviceaccount/service-account.name";
    public const string ServiceAccountUid = "kubernetes.io/serviceaccount/service-account.uid";
}
