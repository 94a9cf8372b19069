using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tvm.Infrastructure.Templating;

namespace Tvm.Features.Health;

/// <summary>
/// Healthy while the template on disk is the one in force; degraded (still serving, with the last good template)
/// while a changed file is refused. Touches neither AWS nor the Kubernetes API.
/// </summary>
internal sealed class PolicyTemplateHealthCheck(PolicyTemplateStore templates) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(templates.Refusal is { } refusal
            ? HealthCheckResult.Degraded($"the last good policy template serves; the new one was refused: {refusal}")
            : HealthCheckResult.Healthy($"policy template {templates.Current.SourceName} loaded"));
}
