namespace Tvm.Infrastructure.Configuration;

/// <summary>The environment variables TVM reads; the names users set, so every message quotes them.</summary>
public static class EnvironmentNames
{
    public const string RoleArn = "AWS_ROLE_ARN";
    public const string Region = "AWS_REGION";
    public const string Port = "PORT";
    public const string LogLevel = "LOG_LEVEL";
    public const string PolicyTemplatePath = "POLICY_TEMPLATE_PATH";
    public const string SessionDurationSeconds = "SESSION_DURATION_SECONDS";
    public const string TokenAudiences = "TOKEN_AUDIENCES";
    public const string SessionTags = "SESSION_TAGS";
    public const string TokenReviewCacheSeconds = "TOKEN_REVIEW_CACHE_SECONDS";
    public const string CredentialCacheSize = "CREDENTIAL_CACHE_SIZE";
    public const string UpstreamTimeoutSeconds = "UPSTREAM_TIMEOUT_SECONDS";
    public const string Kubeconfig = "KUBECONFIG";
    public const string TlsCertPath = "TLS_CERT_PATH";
    public const string TlsKeyPath = "TLS_KEY_PATH";
    public const string RateLimitPerIdentity = "RATE_LIMIT_PER_IDENTITY";
    public const string RateLimitBurst = "RATE_LIMIT_BURST";
    public const string AuthFailuresPerMinute = "AUTH_FAILURES_PER_MINUTE";
    public const string MetricsPort = "METRICS_PORT";
    public const string ShutdownDelaySeconds = "SHUTDOWN_DELAY_SECONDS";
}
