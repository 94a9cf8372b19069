namespace Tvm.Features.VendCredentials;

public sealed class VendCredentialsRequest
{
    /// <summary>
    /// <c>Bearer &lt;service-account token&gt;</c>. Optional for binding so that a missing header reaches the
    /// validator and is answered 401, as a bearer-token API should, instead of FastEndpoints' default 400.
    /// </summary>
    [FromHeader("Authorization", IsRequired = false)]
    public string? Authorization { get; init; }

    private ReadOnlyMemory<char>? _token;

    /// <summary>The token, found in the header once, not per use; not part of the wire format.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ReadOnlyMemory<char> Token => _token ??= ServiceAccountToken.FromBearer(Authorization);

    public override string ToString() => nameof(VendCredentialsRequest);
}

internal sealed class VendCredentialsRequestValidator : TokenRequestValidator<VendCredentialsRequest>
{
    public VendCredentialsRequestValidator()
    {
        RuleFor(request => request.Authorization)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("The Authorization header is missing: send 'Authorization: Bearer <service-account token>'.")
            .Must(ServiceAccountToken.UsesBearerScheme)
            .WithMessage("The Authorization header must use the Bearer scheme.");

        RuleFor(request => request.Token)
            .Cascade(CascadeMode.Stop)
            .MustBeUsableToken()
            .When(request => ServiceAccountToken.UsesBearerScheme(request.Authorization));
    }

    protected internal override bool PassesEveryRule(VendCredentialsRequest request) =>
        ServiceAccountToken.UsesBearerScheme(request.Authorization) && ServiceAccountToken.IsUsable(request.Token.Span);
}
