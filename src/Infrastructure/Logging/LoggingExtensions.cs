using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting;

namespace Tvm.Infrastructure.Logging;

public static class LoggingExtensions
{
    /// <summary>One JSON object per line: UTC time, level, message, then every property (RequestId, TraceId, SpanId, ...).</summary>
    public static ITextFormatter CreateJsonFormatter() => new JsonLinesFormatter();

    public static WebApplicationBuilder AddTvmLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Services
            .AddSingleton(services => new StdoutJsonSink(CreateJsonFormatter(), OutputOf(services)))
            .AddSingleton<IJsonLogLineSink>(services => services.GetRequiredService<StdoutJsonSink>())
            .AddSingleton<JsonLogLines>();
        builder.Services.AddSerilog((services, logger) =>
        {
            // Read here rather than from validated options: the logger must work to report invalid options.
            var configured = services.GetRequiredService<IConfiguration>()[EnvironmentNames.LogLevel];
            var level = LogLevels.TryParse(configured, out var parsed) ? parsed : LogEventLevel.Information;
            var frameworkLevel = level > LogEventLevel.Warning ? level : LogEventLevel.Warning;

            logger
                .MinimumLevel.Is(level)
                .MinimumLevel.Override("Microsoft.AspNetCore", frameworkLevel)
                .MinimumLevel.Override("System.Net.Http", frameworkLevel)
                .Enrich.FromLogContext()
                .ReadFrom.Services(services)
                .WriteTo.Sink(services.GetRequiredService<StdoutJsonSink>());
        },
        // Serilog's static Log.Logger is the process's, not this host's: loggers created from it would follow
        // whichever host set it last, and stopping any host would silence them all.
        preserveStaticLogger: true);
        return builder;
    }

    private static Stream OutputOf(IServiceProvider services) =>
        services.GetService<LogOutput>()?.Stream ?? Console.OpenStandardOutput();
}
