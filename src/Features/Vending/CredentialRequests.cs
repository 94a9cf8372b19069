using System.Runtime.CompilerServices;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Templating;

namespace Tvm.Features.Vending;

/// <summary>
/// The AssumeRole request for a rendered policy, built once and handed to every request that renders to the same
/// policy instance, instead of a new session name, tag list and request on every cache hit. The policy cache keeps one
/// instance per template and service account (and per pod only when the template reads pod fields), so the requests
/// remembered are as many as the policies, not as the tokens; and the memo goes with its policy. Session tags that
/// name pods vary within one policy, so with those every request is built afresh.
/// </summary>
internal sealed class CredentialRequests(string roleArn, TimeSpan duration, SessionTags sessionTags)
{
    private readonly ConditionalWeakTable<SessionPolicy, Built> _byPolicy = [];

    public CredentialRequest For(WorkloadIdentity identity, SessionPolicy policy)
    {
        if (_byPolicy.TryGetValue(policy, out var built) && built.IsFor(identity))
        {
            return built.Request;
        }

        var request = new CredentialRequest(roleArn, RoleSessionName.For(identity), policy, duration) { Tags = sessionTags.For(identity) };
        if (!sessionTags.ArePerPod)
        {
            _byPolicy.AddOrUpdate(policy, new Built(identity.Namespace, identity.ServiceAccount, request));
        }

        return request;
    }

    /// <summary>The session name and the tags other than a pod's depend on nothing but the namespace and service account.</summary>
    private sealed record Built(string Namespace, string ServiceAccount, CredentialRequest Request)
    {
        public bool IsFor(WorkloadIdentity identity) =>
            string.Equals(Namespace, identity.Namespace, StringComparison.Ordinal) && string.Equals(ServiceAccount, identity.ServiceAccount, StringComparison.Ordinal);
    }
}
