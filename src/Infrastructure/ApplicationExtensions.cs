using Scalar.AspNetCore;
using Tvm.Features.Health;
using Tvm.Features.VendCredentials;
using Tvm.Infrastructure.Logging;
using Tvm.Infrastructure.OpenApi;

namespace Tvm.Infrastructure;

public static class ApplicationExtensions
{
    private const int ShortestCacheFriendlySession = 1800;

    public static IServiceCollection AddTvmApi(this IServiceCollection services)
    {
        // Only this assembly: auto-discovery would scan every loaded assembly's types at start-up.
        services.AddFastEndpoints(options =>
        {
            options.DisableAutoDiscovery = true;
            options.Assemblies = [typeof(VendCredentialsEndpoint).Assembly];
        });
        services.AddOpenApi(options => options.AddDocumentTransformer<BearerTokenDocumentTransformer>());
        return services;
    }

    public static WebApplication UseTvmPipeline(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A client's fault found while reading the request (a body over the limit, say) stays a 4xx.
            StatusCodeSelector = exception => exception is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status500InternalServerError,
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        app.UseFastEndpoints(config =>
        {
            config.Endpoints.ShortNames = true;

            // Served as application/json, never inside HTML: no need to escape '+' in secrets as \u002B.
            config.Serializer.Options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            config.Errors.ContentType = "application/problem+json";
            config.Errors.ResponseBuilder = (failures, context, status) => ProblemDetailsExtensions.CreateProblem(
                context,
                status,
                "The request is not valid",
                string.Join(" ", failures.Select(failure => failure.ErrorMessage)));
        });
        app.MapTvmHealthChecks();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Token Vending Machine"));
        return app;
    }

    /// <summary>
    /// Checks the configuration before anything is built from it and says whether to go on. Each problem
    /// becomes one log line naming the variable to fix (the caller then exits non-zero); a valid but unwise
    /// setting becomes a warning.
    /// </summary>
    public static bool ValidateConfiguration(this WebApplication app)
    {
        try
        {
            var options = app.Services.GetRequiredService<IOptions<TvmOptions>>().Value;
            if (options.SessionDurationSeconds < ShortestCacheFriendlySession)
            {
                StartupLog.ShortSessions(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tvm.Startup"), options.SessionDurationSeconds, ShortestCacheFriendlySession);
            }

            return true;
        }
        catch (OptionsValidationException e)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tvm.Startup");
            foreach (var failure in e.Failures)
            {
                StartupLog.InvalidConfiguration(logger, failure);
            }

            return false;
        }
    }
}

internal static partial class StartupLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Critical, Message = "Invalid configuration: {Problem}")]
    public static partial void InvalidConfiguration(ILogger logger, string problem);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "SESSION_DURATION_SECONDS is {SessionDurationSeconds}: cached credentials are handed out only while half their life remains, and under {Recommended} s that half is shorter than the 15 minutes before expiry in which AWS SDKs refresh, so clients would refresh almost at once. Use {Recommended} or more.")]
    public static partial void ShortSessions(ILogger logger, int sessionDurationSeconds, int recommended);
}
