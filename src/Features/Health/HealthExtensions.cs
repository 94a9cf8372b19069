using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tvm.Features.Health;

public static class HealthExtensions
{
    public const string Path = "/healthz";

    public static IServiceCollection AddTvmHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<PolicyTemplateHealthCheck>("policy-template");
        return services;
    }

    public static IEndpointRouteBuilder MapTvmHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = WriteStatusAsync })
            .WithName("Health")
            .WithSummary("Liveness and readiness: 200 when configuration is valid and the policy template is loaded, 503 otherwise.");
        return endpoints;
    }

    private static Task WriteStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new HealthResponse(report.Status.ToString()));
    }
}

public sealed record HealthResponse(string Status);
