using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tvm.Infrastructure.OpenApi;

/// <summary>
/// Describes the service-account token as what it is, an HTTP bearer credential, and requires it on the
/// operations that take it. Without this the Authorization header would show up as a body property.
/// </summary>
internal sealed class BearerTokenDocumentTransformer : IOpenApiDocumentTransformer
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
            Description = "A Kubernetes service-account token: projected (serviceAccountToken volume) or from a kubernetes.io/service-account-token Secret.",
        };

        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] };
        foreach (var (path, item) in document.Paths)
        {
            if (path == "/vend" && item.Operations is { } operations)
            {
                foreach (var operation in operations.Values)
                {
                    operation.Security = [requirement];
                }
            }
        }

        return Task.CompletedTask;
    }
}
