namespace Tvm.Infrastructure.Kubernetes;

/// <summary>Learns which workload a service-account token belongs to, or fails with a <see cref="TokenReviewException"/>.</summary>
public interface ITokenReviewer
{
    /// <param name="token">Passed as characters so that a token cut out of a header needs no copy until it is sent.</param>
    ValueTask<WorkloadIdentity> ReviewAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken);
}
