using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Tvm.Infrastructure.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// Traces and metrics. Traces go out over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; the console exporter
    /// writes multi-line text to stdout, which would break the one-JSON-object-per-line log stream, so it is
    /// opt-in. Metrics are scraped as Prometheus text on METRICS_PORT, and go out over OTLP when configured.
    /// </summary>
    public static WebApplicationBuilder AddTvmTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var exporters = (configuration["OTEL_TRACES_EXPORTER"] ?? "").Split(',', StringSplitOptions.TrimEntries);
        var metricExporters = (configuration["OTEL_METRICS_EXPORTER"] ?? "").Split(',', StringSplitOptions.TrimEntries);
        var otlpEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var prometheus = TvmOptionsBinder.ReadEarly(configuration).MetricsPort != 0;
        var otlpMetrics = !string.IsNullOrWhiteSpace(otlpEndpoint) || metricExporters.Contains("otlp", StringComparer.OrdinalIgnoreCase);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "token-vending-machine"))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(TvmTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbeOrScrape(context.Request.Path))
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

        // With METRICS_PORT=0 and no OTLP exporter nothing would ever read the metrics: no meter is listened to then,
        // so no request pays for aggregating them.
        if (!prometheus && !otlpMetrics)
        {
            return builder;
        }

        telemetry.WithMetrics(metrics =>
        {
            metrics
                .AddMeter(TvmTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddView(instrument => IsPerRequestNoise(instrument) ? MetricStreamConfiguration.Drop : null)
                .AddView("tvm.vend.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets })
                .AddView("tvm.upstream.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets });
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlpMetrics)
            {
                metrics.AddOtlpExporter();
            }
        });
        return builder;
    }

    /// <summary>Cache hits take well under a millisecond; upstream calls tens of milliseconds, and seconds when they fail.</summary>
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// ASP.NET Core instruments measured on every request, or on every buffer Kestrel rents and returns, that tell an
    /// operator nothing the kept ones do not: route matching (http.server.request.duration carries the route),
    /// Kestrel's memory pool, and the requests in flight, measured twice per request (on average, the request rate
    /// times the mean request duration, both of which http.server.request.duration gives). A dropped instrument is
    /// not listened to, so requests do not pay for it.
    /// </summary>
    private static bool IsPerRequestNoise(Instrument instrument) =>
        instrument.Meter.Name is "Microsoft.AspNetCore.Routing" or "Microsoft.AspNetCore.MemoryPool"
        || instrument is { Name: "http.server.active_requests", Meter.Name: "Microsoft.AspNetCore.Hosting" };

    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics");

    /// <summary>
    /// Serves /metrics on METRICS_PORT only, and nothing else there: the credential endpoints never answer on the
    /// metrics port, which is plain HTTP even when PORT serves TLS.
    /// </summary>
    public static WebApplication UseTvmMetrics(this WebApplication app)
    {
        var port = app.Services.GetRequiredService<IOptions<TvmOptions>>().Value.MetricsPort;
        if (port == 0)
        {
            return app;
        }

        // One branch, so that requests on the service port pay for a single port check. The port is read from the
        // connection feature: HttpContext.Connection would allocate its wrapper on every request.
        app.MapWhen(context => context.Features.Get<IHttpConnectionFeature>()?.LocalPort == port, metricsPort =>
        {
            metricsPort.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == "/metrics");
            metricsPort.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        return app;
    }
}
