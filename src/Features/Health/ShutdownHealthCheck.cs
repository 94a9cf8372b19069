using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tvm.Infrastructure.Hosting;

namespace Tvm.Features.Health;

/// <summary>Not ready once TVM is asked to stop, so that Kubernetes sends it no new requests while it drains.</summary>
internal sealed class ShutdownHealthCheck(GracefulShutdown shutdown) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(shutdown.IsStopping ? HealthCheckResult.Unhealthy("stopping") : HealthCheckResult.Healthy());
}
