namespace Tvm.Infrastructure.Kubernetes;

/// <summary>Learns which workload a service-account token belongs to, or fails with a <see cref="TokenReviewException"/>.</summary>
public interface ITokenReviewer
{
    ValueTask<WorkloadIdentity> ReviewAsync(string token, CancellationToken cancellationToken);
}
