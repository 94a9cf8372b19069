using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tvm.Features.Health;

public static class HealthExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    private const string ReadinessOnly = "readiness";

    public static IServiceCollection AddTvmHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PolicyTemplateHealthCheck>("policy-template")
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [ReadinessOnly]);
        return services;
    }

    public static IEndpointRouteBuilder MapTvmHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { ResponseWriter = WriteStatusAsync, Predicate = check => !check.Tags.Contains(ReadinessOnly) })
            .WithName("Health")
            .WithSummary("Liveness: 200 when configuration is valid and a policy template is loaded. Never calls AWS or the Kubernetes API.");
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { ResponseWriter = WriteStatusAsync })
            .WithName("Ready")
            .WithSummary("Readiness: as /healthz, and 503 from the moment TVM is asked to stop.");
        return endpoints;
    }

    private static Task WriteStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new HealthResponse(report.Status.ToString()), ApiJsonContext.Default.HealthResponse);
    }
}

public sealed record HealthResponse(string Status);
