using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tvm.Infrastructure.OpenApi;

/// <summary>Endpoint metadata: the endpoint takes a Kubernetes service-account token in the Authorization header.</summary>
public sealed class TakesServiceAccountToken;

/// <summary>
/// Describes the service-account token as what it is, an HTTP bearer credential, and requires it on the
/// operations marked <see cref="TakesServiceAccountToken"/>. Without this the Authorization header would show
/// up as a body property.
/// </summary>
internal sealed class BearerTokenDocumentTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "ServiceAccountToken";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Token Vending Machine";
        document.Info.Description = "Exchanges Kubernetes service-account tokens for short-lived, policy-scoped AWS credentials.";

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A Kubernetes service-account token: projected (serviceAccountToken volume) or from a kubernetes.io/service-account-token Secret. The container-credentials endpoint also takes the token without a scheme, as the AWS SDKs send it.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<TakesServiceAccountToken>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }];
        }

        return Task.CompletedTask;
    }
}
