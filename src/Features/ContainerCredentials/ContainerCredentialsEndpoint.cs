namespace Tvm.Features.ContainerCredentials;

internal sealed class ContainerCredentialsEndpoint(CredentialVendor vendor) : Endpoint<ContainerCredentialsRequest, ContainerCredentialsResponse>
{
    public override void Configure()
    {
        Get("/v1/credentials");
        AllowAnonymous();
        Definition.VendsCredentials();
        RequestBinder(new VendRequestBinder<ContainerCredentialsRequest>(BindingSource.Headers));
        Description(endpoint => endpoint
            .ClearDefaultAccepts()
            .Produces<ContainerCredentialsResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesVendProblems());
        Summary(summary =>
        {
            summary.Summary = "AWS container credentials for the workload whose service-account token is sent";
            summary.Description = "The endpoint AWS SDKs and the CLI call when AWS_CONTAINER_CREDENTIALS_FULL_URI points at it and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names a service-account token: 'Authorization: <token>' (or 'Bearer <token>'). They refresh on their own before Expiration.";
        });
    }

    public override async Task HandleAsync(ContainerCredentialsRequest req, CancellationToken ct)
    {
        var credentials = await vendor.VendAsync(req.Token, ProcessorState<VendTrace>(), ct);
        await CredentialResponse<ContainerCredentialsResponse>.SendAsync(HttpContext.Response, credentials, ct);
    }
}
