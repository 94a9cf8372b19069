namespace Tvm.Infrastructure.Configuration;

public static partial class ConfigurationExtensions
{
    private const int ShortestCacheFriendlySession = 1800;

    /// <summary>Binds the environment onto <see cref="TvmOptions"/> once; every rule lives in <see cref="TvmOptionsValidator"/>.</summary>
    public static WebApplicationBuilder AddTvmOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IConfigureOptions<TvmOptions>, TvmOptionsBinder>();
        builder.Services.AddSingleton<IValidateOptions<TvmOptions>, TvmOptionsValidator>();
        builder.Services.AddOptions<TvmOptions>();
        return builder;
    }

    /// <summary>
    /// Checks the configuration before anything is built from it and says whether to go on: first the options,
    /// then what they point at (<see cref="StartupCheck"/>). Each problem becomes one log line naming the variable
    /// to fix (the caller then exits non-zero); a valid but unwise setting becomes a warning.
    /// </summary>
    public static bool ValidateConfiguration(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tvm.Startup");
        TvmOptions options;
        try
        {
            options = app.Services.GetRequiredService<IOptions<TvmOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                InvalidConfiguration(logger, failure);
            }

            return false;
        }

        var valid = true;
        foreach (var check in app.Services.GetServices<StartupCheck>())
        {
            try
            {
                check.Load(app.Services);
            }
            catch (Exception e)
            {
                var problem = $"{check.Variable}: {e.Message}";
                InvalidConfiguration(logger, problem);
                valid = false;
            }
        }

        if (valid && options.SessionDurationSeconds < ShortestCacheFriendlySession)
        {
            ShortSessions(logger, options.SessionDurationSeconds, ShortestCacheFriendlySession);
        }

        return valid;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Critical, Message = "Invalid configuration: {Problem}")]
    private static partial void InvalidConfiguration(ILogger logger, string problem);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "SESSION_DURATION_SECONDS is {SessionDurationSeconds}: cached credentials are handed out only while half their life remains, and under {Recommended} s that half is shorter than the 15 minutes before expiry in which AWS SDKs refresh, so clients would refresh almost at once. Use {Recommended} or more.")]
    private static partial void ShortSessions(ILogger logger, int sessionDurationSeconds, int recommended);
}
