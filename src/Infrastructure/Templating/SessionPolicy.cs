using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;

namespace Tvm.Infrastructure.Templating;

/// <summary>A rendered, minified session policy and its SHA-256, computed once so caches can key on it cheaply.</summary>
[ImmutableObject(true)]
public sealed record SessionPolicy(string Json)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json)));
}
