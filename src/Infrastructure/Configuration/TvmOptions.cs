using Serilog.Events;

namespace Tvm.Infrastructure.Configuration;

/// <summary>The service's whole configuration, bound once from the environment and validated at start-up.</summary>
public sealed class TvmOptions
{
    public const string DefaultPolicyTemplatePath = "/etc/token-vending-machine/policy.json";
    public const int DefaultCacheSize = 10_000;

    public string RoleArn { get; set; } = "";
    public string Region { get; set; } = "";
    public int Port { get; set; } = 8000;
    public LogEventLevel LogLevel { get; set; } = LogEventLevel.Information;
    public string PolicyTemplatePath { get; set; } = DefaultPolicyTemplatePath;
    public int SessionDurationSeconds { get; set; } = 3600;
    public IReadOnlyList<string> TokenAudiences { get; set; } = [];

    /// <summary>Names of the STS session tags to send (see <c>Tvm.Infrastructure.Sts.SessionTags</c>); none by default.</summary>
    public IReadOnlyList<string> SessionTags { get; set; } = [];

    public int TokenReviewCacheSeconds { get; set; } = 10;
    public int CredentialCacheSize { get; set; } = DefaultCacheSize;
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(4);
    public string? KubeconfigPath { get; set; }
    public string? TlsCertPath { get; set; }
    public string? TlsKeyPath { get; set; }

    /// <summary>Sustained requests per second per namespace/service account; 0 turns the limit off.</summary>
    public int RateLimitPerIdentity { get; set; }
    public int RateLimitBurst { get; set; } = 1000;

    /// <summary>Failed authentications per client address per minute; 0 turns the limit off.</summary>
    public int AuthFailuresPerMinute { get; set; }

    /// <summary>Port of the Prometheus endpoint; 0 turns it off.</summary>
    public int MetricsPort { get; set; } = 9090;
    public int ShutdownDelaySeconds { get; set; } = 5;

    /// <summary>Values that were present but could not be read as their type; reported by the validator.</summary>
    internal List<string> UnreadableValues { get; } = [];

    public TimeSpan SessionDuration => TimeSpan.FromSeconds(SessionDurationSeconds);

    /// <summary>Both TLS files given: PORT serves HTTPS only.</summary>
    public bool ServesTls => TlsCertPath is not null && TlsKeyPath is not null;
}
