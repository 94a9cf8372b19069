using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting;

namespace Tvm.Infrastructure.Logging;

public static class LoggingExtensions
{
    /// <summary>One JSON object per line: UTC time, level, message, then every property (RequestId, TraceId, SpanId, ...).</summary>
    public static ITextFormatter CreateJsonFormatter() => new JsonLinesFormatter();

    /// <summary>
    /// Events wait at most this long before they are written. The queue is bounded so that a stalled stdout
    /// cannot take the service's memory with it.
    /// </summary>
    private static readonly BatchingOptions StdoutBatching = new()
    {
        BatchSizeLimit = 1000,
        BufferingTimeLimit = TimeSpan.FromMilliseconds(100),
        EagerlyEmitFirstEvent = true,
        QueueLimit = 100_000,
    };

    public static WebApplicationBuilder AddTvmLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
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
                .WriteTo.Sink(new StdoutJsonSink(CreateJsonFormatter(), OutputOf(services)), StdoutBatching);
        });
        return builder;
    }

    private static Stream OutputOf(IServiceProvider services) =>
        services.GetService<LogOutput>()?.Stream ?? Console.OpenStandardOutput();
}
