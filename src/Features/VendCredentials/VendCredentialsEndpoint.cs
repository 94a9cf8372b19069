using Microsoft.AspNetCore.Mvc;

namespace Tvm.Features.VendCredentials;

internal sealed class VendCredentialsEndpoint(CredentialVendor vendor) : Endpoint<VendCredentialsRequest, VendCredentialsResponse>
{
    public const int MaxBodyBytes = 64 * 1024;

    public override void Configure()
    {
        Post("/vend");
        AllowAnonymous();
        Definition.VendsCredentials();
        RequestBinder(new VendRequestBinder<VendCredentialsRequest>(BindingSource.JsonBody | BindingSource.Headers));

        // The body is ignored; nothing large is worth reading.
        Options(endpoint => endpoint.WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)));
        Description(endpoint => endpoint
            .ClearDefaultAccepts()
            .Produces<VendCredentialsResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesVendProblems());
        Summary(summary =>
        {
            summary.Summary = "Exchange a Kubernetes service-account token for short-lived AWS credentials";
            summary.Description = "Send the token as 'Authorization: Bearer <token>' with an empty body. The credentials are scoped by the session policy rendered for the token's namespace and service account.";
        });
    }

    public override async Task HandleAsync(VendCredentialsRequest req, CancellationToken ct)
    {
        var credentials = await vendor.VendAsync(req.Token, ProcessorState<VendTrace>(), ct);
        await CredentialResponse<VendCredentialsResponse>.SendAsync(HttpContext.Response, credentials, ct);
    }
}
