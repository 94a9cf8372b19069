using System.Globalization;

namespace Tvm.Infrastructure.Configuration;

/// <summary>
/// Binds the flat environment names onto <see cref="TvmOptions"/>. Written out rather than left to the
/// configuration binder so that an unreadable number becomes one validation message naming its variable
/// instead of an exception that hides every other problem.
/// </summary>
internal sealed class TvmOptionsBinder(IConfiguration configuration) : IConfigureOptions<TvmOptions>
{
    /// <summary>
    /// The options as configured, unvalidated, for the few decisions taken while the host is built (Kestrel's
    /// listeners, which meters to collect), before validation has had its say.
    /// </summary>
    public static TvmOptions ReadEarly(IConfiguration configuration)
    {
        var options = new TvmOptions();
        new TvmOptionsBinder(configuration).Configure(options);
        return options;
    }

    public void Configure(TvmOptions options)
    {
        options.RoleArn = configuration[EnvironmentNames.RoleArn]?.Trim() ?? "";
        options.Region = configuration[EnvironmentNames.Region]?.Trim() ?? "";
        options.PolicyTemplatePath = NonEmpty(configuration[EnvironmentNames.PolicyTemplatePath]) ?? TvmOptions.DefaultPolicyTemplatePath;
        options.KubeconfigPath = NonEmpty(configuration[EnvironmentNames.Kubeconfig]);
        options.TlsCertPath = NonEmpty(configuration[EnvironmentNames.TlsCertPath]);
        options.TlsKeyPath = NonEmpty(configuration[EnvironmentNames.TlsKeyPath]);
        options.TokenAudiences = (configuration[EnvironmentNames.TokenAudiences] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        options.SessionTags = (configuration[EnvironmentNames.SessionTags] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        BindInt(EnvironmentNames.Port, value => options.Port = value);
        BindInt(EnvironmentNames.SessionDurationSeconds, value => options.SessionDurationSeconds = value);
        BindInt(EnvironmentNames.TokenReviewCacheSeconds, value => options.TokenReviewCacheSeconds = value);
        BindInt(EnvironmentNames.CredentialCacheSize, value => options.CredentialCacheSize = value);
        BindInt(EnvironmentNames.UpstreamTimeoutSeconds, value => options.UpstreamTimeout = TimeSpan.FromSeconds(value));
        BindInt(EnvironmentNames.RateLimitPerIdentity, value => options.RateLimitPerIdentity = value);
        BindInt(EnvironmentNames.RateLimitBurst, value => options.RateLimitBurst = value);
        BindInt(EnvironmentNames.AuthFailuresPerMinute, value => options.AuthFailuresPerMinute = value);
        BindInt(EnvironmentNames.MetricsPort, value => options.MetricsPort = value);
        BindInt(EnvironmentNames.ShutdownDelaySeconds, value => options.ShutdownDelaySeconds = value);

        var logLevel = configuration[EnvironmentNames.LogLevel];
        if (LogLevels.TryParse(logLevel, out var level))
        {
            options.LogLevel = level;
        }
        else
        {
            options.UnreadableValues.Add($"{EnvironmentNames.LogLevel} must be one of DEBUG, INFO, WARNING, ERROR (or a Serilog level name); got '{logLevel}'.");
        }

        void BindInt(string name, Action<int> assign)
        {
            var raw = NonEmpty(configuration[name]);
            if (raw is null)
            {
                return;
            }

            if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                assign(value);
            }
            else
            {
                options.UnreadableValues.Add($"{name} must be a whole number; got '{raw}'.");
            }
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
