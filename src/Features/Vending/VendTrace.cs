using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Features.Vending;

/// <summary>What one vend request learned on its way, kept for its outcome line (FastEndpoints processor state).</summary>
public sealed class VendTrace
{
    /// <summary>Set when the state is first asked for, by the first processor that runs.</summary>
    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>The client's address, which failed authentications are counted against.</summary>
    public System.Net.IPAddress? ClientAddress { get; set; }

    /// <summary>Who called, once the TokenReview has said so; null for requests refused before that.</summary>
    public WorkloadIdentity? Identity { get; set; }
}
