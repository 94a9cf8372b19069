using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tvm.Infrastructure.Templating;

namespace Tvm.Features.Health;

/// <summary>Ready once the policy template is loaded; touches neither AWS nor the Kubernetes API.</summary>
internal sealed class PolicyTemplateHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var template = services.GetRequiredService<PolicyTemplate>();
            return Task.FromResult(HealthCheckResult.Healthy($"policy template {template.SourceName} loaded"));
        }
        catch (PolicyTemplateException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
        }
        catch (OptionsValidationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("configuration is invalid"));
        }
    }
}
