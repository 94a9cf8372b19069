using System.Text.RegularExpressions;

namespace Tvm.Infrastructure.Configuration;

/// <summary>Checks every rule of the configuration table and reports each broken one on its own.</summary>
internal sealed partial class TvmOptionsValidator : IValidateOptions<TvmOptions>
{
    public const int MinSessionDurationSeconds = 900;
    public const int MaxSessionDurationSeconds = 43200;

    public ValidateOptionsResult Validate(string? name, TvmOptions options)
    {
        var problems = new List<string>(options.UnreadableValues);

        if (options.RoleArn.Length == 0)
        {
            problems.Add($"{EnvironmentNames.RoleArn} is required: the ARN of the IAM role to assume, e.g. arn:aws:iam::123456789012:role/tvm-workloads.");
        }
        else if (!RoleArnPattern().IsMatch(options.RoleArn))
        {
            problems.Add($"{EnvironmentNames.RoleArn} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>); got '{options.RoleArn}'.");
        }

        if (options.Region.Length == 0)
        {
            problems.Add($"{EnvironmentNames.Region} is required: the region whose STS endpoint is called, e.g. eu-west-1.");
        }
        else if (!RegionPattern().IsMatch(options.Region))
        {
            problems.Add($"{EnvironmentNames.Region} is not an AWS region name; got '{options.Region}'.");
        }

        if (options.Port is < 1 or > 65535)
        {
            problems.Add($"{EnvironmentNames.Port} must be between 1 and 65535; got {options.Port}.");
        }

        if (options.SessionDurationSeconds is < MinSessionDurationSeconds or > MaxSessionDurationSeconds)
        {
            problems.Add($"{EnvironmentNames.SessionDurationSeconds} must be between {MinSessionDurationSeconds} and {MaxSessionDurationSeconds} (the range STS accepts); got {options.SessionDurationSeconds}.");
        }

        if (options.TokenReviewCacheSeconds < 0)
        {
            problems.Add($"{EnvironmentNames.TokenReviewCacheSeconds} must be 0 (off) or more; got {options.TokenReviewCacheSeconds}.");
        }

        if (options.CredentialCacheSize < 0)
        {
            problems.Add($"{EnvironmentNames.CredentialCacheSize} must be 0 (off) or more; got {options.CredentialCacheSize}.");
        }

        if (options.UpstreamTimeout <= TimeSpan.Zero || options.UpstreamTimeout > TimeSpan.FromSeconds(30))
        {
            problems.Add($"{EnvironmentNames.UpstreamTimeoutSeconds} must be between 1 and 30; got {options.UpstreamTimeout.TotalSeconds}.");
        }

        if (options.RateLimitPerIdentity < 0)
        {
            problems.Add($"{EnvironmentNames.RateLimitPerIdentity} must be 0 (off) or more; got {options.RateLimitPerIdentity}.");
        }

        if (options.RateLimitBurst < 1)
        {
            problems.Add($"{EnvironmentNames.RateLimitBurst} must be 1 or more; got {options.RateLimitBurst}.");
        }

        if (options.AuthFailuresPerMinute < 0)
        {
            problems.Add($"{EnvironmentNames.AuthFailuresPerMinute} must be 0 (off) or more; got {options.AuthFailuresPerMinute}.");
        }

        if (options.MetricsPort is < 0 or > 65535)
        {
            problems.Add($"{EnvironmentNames.MetricsPort} must be 0 (off) or between 1 and 65535; got {options.MetricsPort}.");
        }
        else if (options.MetricsPort != 0 && options.MetricsPort == options.Port)
        {
            problems.Add($"{EnvironmentNames.MetricsPort} must differ from {EnvironmentNames.Port} ({options.Port}): metrics are not served on the service port.");
        }

        if (options.ShutdownDelaySeconds is < 0 or > 60)
        {
            problems.Add($"{EnvironmentNames.ShutdownDelaySeconds} must be between 0 and 60; got {options.ShutdownDelaySeconds}.");
        }

        if (options.TlsCertPath is null != options.TlsKeyPath is null)
        {
            problems.Add($"{EnvironmentNames.TlsCertPath} and {EnvironmentNames.TlsKeyPath} go together: set both to serve HTTPS, or neither for plain HTTP.");
        }

        RequireFile(problems, EnvironmentNames.TlsCertPath, options.TlsCertPath, "the PEM certificate chain");
        RequireFile(problems, EnvironmentNames.TlsKeyPath, options.TlsKeyPath, "the PEM private key");
        RequireFile(problems, EnvironmentNames.PolicyTemplatePath, options.PolicyTemplatePath, "the policy template");
        if (!Kubeconfig.IsInCluster && Kubeconfig.Find(options.KubeconfigPath) is null)
        {
            problems.Add($"{EnvironmentNames.Kubeconfig}: not running in a Kubernetes pod and no kubeconfig file at '{options.KubeconfigPath ?? Kubeconfig.DefaultPath}'.");
        }

        foreach (var audience in options.TokenAudiences)
        {
            if (audience.Any(char.IsWhiteSpace))
            {
                problems.Add($"{EnvironmentNames.TokenAudiences} holds an audience with white space in it: '{audience}'.");
            }
        }

        var unknownTags = options.SessionTags.Where(tag => !Sts.SessionTags.IsKnown(tag)).ToList();
        if (unknownTags.Count > 0)
        {
            problems.Add($"{EnvironmentNames.SessionTags} names unknown session tags ({string.Join(", ", unknownTags.Select(tag => $"'{tag}'"))}): use a comma-separated list of {string.Join(", ", Sts.SessionTags.Names)}.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void RequireFile(List<string> problems, string variable, string? path, string what)
    {
        if (path is not null && !File.Exists(path))
        {
            problems.Add($"{variable}: no file at '{path}' ({what}).");
        }
    }

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]
    private static partial Regex RegionPattern();
}
