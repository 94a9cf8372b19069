using Tvm.Infrastructure.Kubernetes;

namespace Tvm.Infrastructure.Templating;

/// <summary>Renders the minified session policy for an identity, or fails with a <see cref="PolicyRenderException"/>.</summary>
public interface IPolicyRenderer
{
    SessionPolicy Render(WorkloadIdentity identity);
}
