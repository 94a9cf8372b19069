using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
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

    private static readonly ConcurrentDictionary<VendRequestKind, StrongBox<long>> VendRequestCounts = new();
    private static readonly ObservableCounter<long> VendRequests = Meter.CreateObservableCounter("tvm.vend.requests", ObserveVendRequests, description: "Requests to the credential endpoints, by endpoint, outcome and status code.");
    private static readonly Histogram<double> VendDuration = Meter.CreateHistogram<double>("tvm.vend.duration", "s", "Time to answer a credential request.");
    private static readonly ConcurrentDictionary<string, CacheLookupCounter> CacheLookupsByCache = new(StringComparer.Ordinal);
    private static readonly ObservableCounter<long> CacheLookups = Meter.CreateObservableCounter("tvm.cache.lookups", ObserveCacheLookups, description: "Cache lookups by cache and result (hit or miss).");
    private static readonly Histogram<double> UpstreamDuration = Meter.CreateHistogram<double>("tvm.upstream.duration", "s", "Time of each upstream call (token_review, assume_role), by result.");
    private static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("tvm.rate_limited", description: "Requests refused with 429, by limit (identity or auth_failures).");
    private static readonly Counter<long> StaleCredentials = Meter.CreateCounter<long>("tvm.stale_credentials_served", description: "Cached credentials served past their freshness because STS failed.");

    public static Activity? SetWorkloadTags(this Activity? activity, WorkloadIdentity identity) =>
        activity?.SetTag(NamespaceTag, identity.Namespace).SetTag(ServiceAccountTag, identity.ServiceAccount);

    /// <summary>
    /// Counts the request and records its duration. The count is kept beside the histogram rather than measured
    /// again through the meter: one aggregation per request instead of two, and the count is read at collection.
    /// </summary>
    public static void RecordVend(string endpoint, string outcome, int statusCode, TimeSpan elapsed)
    {
        if (!VendRequests.Enabled)
        {
            return;
        }

        var count = VendRequestCounts.GetOrAdd(new VendRequestKind(endpoint, outcome, statusCode), static _ => new StrongBox<long>());
        Interlocked.Increment(ref count.Value);
        VendDuration.Record(elapsed.TotalSeconds, new TagList { { "endpoint", endpoint }, { "outcome", outcome }, { "status_code", StatusCodeTags.Of(statusCode) } });
    }

    private static IEnumerable<Measurement<long>> ObserveVendRequests()
    {
        foreach (var (kind, count) in VendRequestCounts)
        {
            yield return new Measurement<long>(
                Volatile.Read(ref count.Value),
                new KeyValuePair<string, object?>("endpoint", kind.Endpoint),
                new KeyValuePair<string, object?>("outcome", kind.Outcome),
                new KeyValuePair<string, object?>("status_code", StatusCodeTags.Of(kind.StatusCode)));
        }
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

    private readonly record struct VendRequestKind(string Endpoint, string Outcome, int StatusCode);
}
