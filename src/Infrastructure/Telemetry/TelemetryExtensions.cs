using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Tvm.Infrastructure.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// Traces go out over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. The console exporter writes multi-line
    /// text to stdout, which would break the one-JSON-object-per-line log stream, so it is opt-in.
    /// </summary>
    public static WebApplicationBuilder AddTvmTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var exporters = (configuration["OTEL_TRACES_EXPORTER"] ?? "").Split(',', StringSplitOptions.TrimEntries);
        var otlpEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "token-vending-machine"))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(TvmTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => context.Request.Path != "/healthz")
                    .AddHttpClientInstrumentation();
                if (exporters.Contains("console", StringComparer.OrdinalIgnoreCase))
                {
                    tracing.AddConsoleExporter();
                }

                if (!string.IsNullOrWhiteSpace(otlpEndpoint) || exporters.Contains("otlp", StringComparer.OrdinalIgnoreCase))
                {
                    tracing.AddOtlpExporter();
                }
            });
        return builder;
    }
}
