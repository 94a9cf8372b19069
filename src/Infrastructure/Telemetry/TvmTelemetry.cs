using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Telemetry;

/// <summary>TVM's own spans: one per upstream call, so a trace shows which dependency a slow vend waited on.</summary>
public static class TvmTelemetry
{
    public const string SourceName = "Tvm";
    public const string NamespaceTag = "k8s.namespace.name";
    public const string ServiceAccountTag = "k8s.serviceaccount.name";
    public const string RequestIdTag = "tvm.request_id";
    public const string RoleSessionNameTag = "aws.sts.role_session_name";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? SetWorkloadTags(this Activity? activity, WorkloadIdentity identity) =>
        activity?.SetTag(NamespaceTag, identity.Namespace).SetTag(ServiceAccountTag, identity.ServiceAccount);
}
