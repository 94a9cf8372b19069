using System.Text.RegularExpressions;

namespace Tvm.Infrastructure.Kubernetes;

/// <summary>Reads <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>, the only kind of user TVM serves.</summary>
public static partial class ServiceAccountUsername
{
    private const string Prefix = "system:serviceaccount:";

    public static bool TryParse(string? username, out string @namespace, out string serviceAccount)
    {
        @namespace = serviceAccount = "";
        if (username is null || !username.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = username.AsSpan(Prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        var ns = rest[..colon];
        var name = rest[(colon + 1)..];
        if (!IsDns1123Label(ns) || !IsDns1123Subdomain(name))
        {
            return false;
        }

        @namespace = ns.ToString();
        serviceAccount = name.ToString();
        return true;
    }

    /// <summary>Namespace names: at most 63 characters of [a-z0-9-], starting and ending alphanumeric.</summary>
    public static bool IsDns1123Label(ReadOnlySpan<char> value) => value.Length <= 63 && Label().IsMatch(value);

    /// <summary>Service-account names: at most 253 characters, dot-separated labels.</summary>
    public static bool IsDns1123Subdomain(ReadOnlySpan<char> value) => value.Length <= 253 && Subdomain().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
