using Serilog;
using Serilog.Events;
using Serilog.Templates;

namespace Tvm.Infrastructure.Logging;

public static class LoggingExtensions
{
    /// <summary>One JSON object per line: UTC time, level, message, then every property (RequestId, TraceId, SpanId, ...).</summary>
    public static ExpressionTemplate CreateJsonFormatter() => new(
        "{ {Timestamp: UtcDateTime(@t), Level: @l, Message: @m, TraceId: @tr, SpanId: @sp, Exception: @x, ..@p} }\n");

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
                .WriteTo.Console(CreateJsonFormatter());
        });
        return builder;
    }
}
