using System.Collections.Concurrent;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// The few cluster objects a token review consults: service accounts, pods and nodes with their UIDs, and the
/// credentials that were invalidated. The real token authenticator looks the bound objects up on every review,
/// so deleting one (or recreating it with a new UID) invalidates every token that names it.
/// </summary>
internal sealed class ClusterInventory
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), string> serviceAccounts = new();
    private readonly ConcurrentDictionary<(string Namespace, string Name), string> pods = new();
    private readonly ConcurrentDictionary<string, string> nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> invalidatedTokenHashes = new(StringComparer.Ordinal);

    /// <summary>The UID of the service account, creating the account on first use.</summary>
    public string EnsureServiceAccount(string @namespace, string name) =>
        serviceAccounts.GetOrAdd((@namespace, name), static _ => NewUid());

    public string? FindServiceAccountUid(string @namespace, string name) =>
        serviceAccounts.TryGetValue((@namespace, name), out var uid) ? uid : null;

    public bool DeleteServiceAccount(string @namespace, string name) =>
        serviceAccounts.TryRemove((@namespace, name), out _);

    /// <summary>The UID of the pod, creating the pod on first use.</summary>
    public string EnsurePod(string @namespace, string name) =>
        pods.GetOrAdd((@namespace, name), static _ => NewUid());

    public string? FindPodUid(string @namespace, string name) =>
        pods.TryGetValue((@namespace, name), out var uid) ? uid : null;

    public bool DeletePod(string @namespace, string name) => pods.TryRemove((@namespace, name), out _);

    /// <summary>The UID of the node, creating the node on first use.</summary>
    public string EnsureNode(string name) => nodes.GetOrAdd(name, static _ => NewUid());

    public void InvalidateToken(string tokenSha256) => invalidatedTokenHashes.TryAdd(tokenSha256, 0);

    public bool IsTokenInvalidated(string tokenSha256) => invalidatedTokenHashes.ContainsKey(tokenSha256);

    // Kubernetes UIDs are RFC 4122 UUIDs in their lower-case, hyphenated text form.
    private static string NewUid() => Guid.NewGuid().ToString("D");
}
