using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Memory;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Telemetry;
using Tvm.Infrastructure.Templating;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// One template renders an identity to the same policy every time: render it once per template in force. The key
/// holds that template and only the identity fields it reads, so the pods of one service account share an entry
/// unless the template names pods, and a reloaded template starts afresh (entries of the old one age out).
/// Rendering is synchronous and cheap enough that concurrent first renders need no coalescing. Render failures
/// are exceptions and are not cached.
/// <para>
/// The token-review cache hands out one identity instance per token while its review lasts, so each instance also
/// remembers its policy and the template it came from: a repeated request skips building the key and the lookup.
/// The memo is weak (it goes with the identity) and holds nothing of its own but two references.
/// </para>
/// </summary>
public sealed class CachingPolicyRenderer(PolicyTemplateStore templates, IOptions<TvmOptions> options) : IPolicyRenderer, IDisposable
{
    private static readonly TimeSpan Unused = TimeSpan.FromHours(1);
    private static readonly CacheLookupCounter Lookups = TvmTelemetry.CacheLookupsOf("policy");

    private readonly MemoryCache _policies = new(new MemoryCacheOptions { SizeLimit = options.Value.CredentialCacheSize, CompactionPercentage = 0.1 });
    private readonly ConditionalWeakTable<WorkloadIdentity, Rendered> _renderedFor = [];

    public SessionPolicy Render(WorkloadIdentity identity)
    {
        var template = templates.Current;
        if (_renderedFor.TryGetValue(identity, out var rendered) && ReferenceEquals(rendered.Template, template))
        {
            Lookups.Record(hit: true);
            return rendered.Policy;
        }

        var policy = Render(template, identity);
        _renderedFor.AddOrUpdate(identity, new Rendered(template, policy));
        return policy;
    }

    private SessionPolicy Render(PolicyTemplate template, WorkloadIdentity identity)
    {
        var key = (template, template.RelevantPartOf(identity));
        if (_policies.TryGetValue(key, out SessionPolicy? policy) && policy is not null)
        {
            Lookups.Record(hit: true);
            return policy;
        }

        Lookups.Record(hit: false);
        policy = template.Render(identity);
        _policies.Set(key, policy, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Unused });
        return policy;
    }

    public void Dispose() => _policies.Dispose();

    private sealed record Rendered(PolicyTemplate Template, SessionPolicy Policy);
}
