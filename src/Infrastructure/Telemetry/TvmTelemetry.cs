using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Telemetry;

/// <summary>
/// TVM's own spans (one per upstream call, so a trace shows which dependency a slow vend waited on) and its own
/// metrics. No metric label holds a token, a secret, or a namespace or service-account name: those are unbounded
/// and belong in logs and traces.
/// </summary>
public static class TvmTelemetry
{
    public const string SourceName = "Tvm";
    public const string NamespaceTag = "k8s.namespace.name";
    public const string ServiceAccountTag = "k8s.serviceaccount.name";
    public const string RequestIdTag = "tvm.request_id";
    public const string RoleSessionNameTag = "aws.sts.role_session_name";

    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(SourceName);

    private static readonly Counter<long> VendRequests = Meter.CreateCounter<long>("tvm.vend.requests", description: "Requests to the credential endpoints, by endpoint, outcome and status code.");
    private static readonly Histogram<double> VendDuration = Meter.CreateHistogram<double>("tvm.vend.duration", "s", "Time to answer a credential request.");
    private static readonly ConcurrentDictionary<string, CacheLookupCounter> CacheLookupsByCache = new(StringComparer.Ordinal);
    private static readonly ObservableCounter<long> CacheLookups = Meter.CreateObservableCounter("tvm.cache.lookups", ObserveCacheLookups, description: "Cache lookups by cache and result (hit or miss).");
    private static readonly Histogram<double> UpstreamDuration = Meter.CreateHistogram<double>("tvm.upstream.duration", "s", "Time of each upstream call (token_review, assume_role), by result.");
    private static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("tvm.rate_limited", description: "Requests refused with 429, by limit (identity or auth_failures).");
    private static readonly Counter<long> StaleCredentials = Meter.CreateCounter<long>("tvm.stale_credentials_served", description: "Cached credentials served past their freshness because STS failed.");

    public static Activity? SetWorkloadTags(this Activity? activity, WorkloadIdentity identity) =>
        activity?.SetTag(NamespaceTag, identity.Namespace).SetTag(ServiceAccountTag, identity.ServiceAccount);

    public static void RecordVend(string endpoint, string outcome, int statusCode, TimeSpan elapsed)
    {
        var tags = new TagList { { "endpoint", endpoint }, { "outcome", outcome }, { "status_code", StatusCodeTags.Of(statusCode) } };
        VendRequests.Add(1, tags);
        VendDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>
    /// The lookup counts of one cache. Every request looks up three caches, so lookups are counted, not recorded as
    /// measurements one by one: the counts are read only when metrics are collected.
    /// </summary>
    public static CacheLookupCounter CacheLookupsOf(string cache) => CacheLookupsByCache.GetOrAdd(cache, static _ => new CacheLookupCounter());

    private static IEnumerable<Measurement<long>> ObserveCacheLookups()
    {
        foreach (var (cache, counter) in CacheLookupsByCache)
        {
            yield return new Measurement<long>(counter.Hits, new KeyValuePair<string, object?>("cache", cache), new KeyValuePair<string, object?>("result", "hit"));
            yield return new Measurement<long>(counter.Misses, new KeyValuePair<string, object?>("cache", cache), new KeyValuePair<string, object?>("result", "miss"));
        }
    }

    public static void RecordUpstream(string upstream, string result, TimeSpan elapsed) =>
        UpstreamDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("upstream", upstream), new KeyValuePair<string, object?>("result", result));

    public static void RecordRateLimited(string limit) => RateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public static void RecordStaleCredentials() => StaleCredentials.Add(1);
}
