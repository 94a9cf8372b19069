using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Templating;

namespace Tvm.Features.Vending;

/// <summary>
/// The three steps of a vend, each behind its cache. Building them loads the kubeconfig and the AWS SDK, which
/// is why <see cref="VendingWarmUp"/> builds this off the request path.
/// </summary>
public sealed record VendClients(ITokenReviewer TokenReviewer, IPolicyRenderer PolicyRenderer, ICredentialIssuer CredentialIssuer);
