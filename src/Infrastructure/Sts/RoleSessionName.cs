using System.Security.Cryptography;
using System.Text;
using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Sts;

/// <summary>
/// The RoleSessionName CloudTrail shows: <c>&lt;namespace&gt;.&lt;serviceaccount&gt;</c>. Namespaces hold no dots,
/// so the first dot separates the two. STS allows 64 characters of <c>[\w+=,.@-]</c>; longer names keep a
/// readable prefix and end in a hash of the whole name so that two long names never collide.
/// </summary>
public static class RoleSessionName
{
    public const int MaxLength = 64;
    private const int HashLength = 16;

    public static string For(WorkloadIdentity identity) => For(identity.Namespace, identity.ServiceAccount);

    public static string For(string @namespace, string serviceAccount)
    {
        var full = $"{@namespace}.{serviceAccount}";
        if (full.Length <= MaxLength)
        {
            return full;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..HashLength];
        return $"{full[..(MaxLength - HashLength - 1)]}-{hash}";
    }
}
