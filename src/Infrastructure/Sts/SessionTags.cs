using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Sts;

/// <summary>
/// The STS session tags TVM attaches to AssumeRole, chosen by SESSION_TAGS. The keys are EKS Pod Identity's, so
/// ABAC policies written for it (<c>aws:PrincipalTag/kubernetes-namespace</c>, ...) work unchanged. Tags are sent in
/// the fixed order of <see cref="Names"/>, whatever the order they were chosen in, and a tag whose value is unknown
/// (the pod of a legacy Secret token) is left out rather than sent empty.
/// </summary>
public sealed class SessionTags
{
    public const string Namespace = "kubernetes-namespace";
    public const string ServiceAccount = "kubernetes-service-account";
    public const string PodName = "kubernetes-pod-name";
    public const string PodUid = "kubernetes-pod-uid";

    /// <summary>Every tag TVM can send, in the order it sends them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Namespace, ServiceAccount, PodName, PodUid];

    public static SessionTags None { get; } = new([]);

    private readonly string[] _chosen;

    private SessionTags(string[] chosen) => _chosen = chosen;

    /// <summary>The chosen tag names, in the order they are sent.</summary>
    public IReadOnlyList<string> Chosen => _chosen;

    /// <summary>True when a pod's own tag is chosen: every pod then gets credentials of its own.</summary>
    public bool ArePerPod => _chosen.Contains(PodName) || _chosen.Contains(PodUid);

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <exception cref="ArgumentException">A name is not one of <see cref="Names"/>; the options validator reports those at start-up.</exception>
    public static SessionTags Of(IEnumerable<string> names)
    {
        var chosen = names.ToHashSet(StringComparer.Ordinal);
        if (chosen.FirstOrDefault(name => !IsKnown(name)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a session tag TVM knows; use {string.Join(", ", Names)}.", nameof(names));
        }

        return chosen.Count == 0 ? None : new SessionTags(Names.Where(chosen.Contains).ToArray());
    }

    /// <summary>The chosen tags with the identity's values; tags whose value is unknown are left out.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> For(WorkloadIdentity identity)
    {
        if (_chosen.Length == 0)
        {
            return [];
        }

        var tags = new List<KeyValuePair<string, string>>(_chosen.Length);
        foreach (var name in _chosen)
        {
            var value = name switch
            {
                Namespace => identity.Namespace,
                ServiceAccount => identity.ServiceAccount,
                PodName => identity.PodName,
                _ => identity.PodUid,
            };
            if (value.Length > 0)
            {
                tags.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        return tags;
    }
}
