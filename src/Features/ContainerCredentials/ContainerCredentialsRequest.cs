namespace Tvm.Features.ContainerCredentials;

public sealed class ContainerCredentialsRequest
{
    /// <summary>
    /// The token file's content as the AWS SDKs send it (no scheme), or <c>Bearer &lt;token&gt;</c>. Optional for
    /// binding so that a missing header is answered 401 by the validator rather than 400.
    /// </summary>
    [FromHeader("Authorization", IsRequired = false)]
    public string? Authorization { get; init; }

    private ReadOnlyMemory<char>? _token;

    /// <summary>The token, found in the header once, not per use; not part of the wire format.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ReadOnlyMemory<char> Token => _token ??= ServiceAccountToken.FromContainerAuthorization(Authorization);

    public override string ToString() => nameof(ContainerCredentialsRequest);
}

internal sealed class ContainerCredentialsRequestValidator : TokenRequestValidator<ContainerCredentialsRequest>
{
    public ContainerCredentialsRequestValidator()
    {
        RuleFor(request => request.Authorization)
            .NotEmpty()
            .WithMessage("The Authorization header is missing: set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE to the service-account token's path, or send 'Authorization: <token>'.");

        RuleFor(request => request.Token)
            .Cascade(CascadeMode.Stop)
            .MustBeUsableToken()
            .When(request => !string.IsNullOrWhiteSpace(request.Authorization));
    }

    protected internal override bool PassesEveryRule(ContainerCredentialsRequest request) =>
        !string.IsNullOrWhiteSpace(request.Authorization) && ServiceAccountToken.IsUsable(request.Token.Span);
}
