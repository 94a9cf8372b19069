namespace Tvm.Features.VendCredentials;

public sealed class VendCredentialsRequest
{
    public const string BearerPrefix = "Bearer ";

    /// <summary>
    /// <c>Bearer &lt;service-account token&gt;</c>. Optional for binding so that a missing header reaches the
    /// validator and is answered 401, as a bearer-token API should, instead of FastEndpoints' default 400.
    /// </summary>
    [FromHeader("Authorization", IsRequired = false)]
    public string? Authorization { get; init; }

    private string? _token;

    /// <summary>The token, once the validator has accepted the header; cut out of the header once, not per use.</summary>
    public string Token => _token ??= Authorization is { Length: > 7 } header ? header[BearerPrefix.Length..].Trim() : "";

    public override string ToString() => nameof(VendCredentialsRequest);
}

internal sealed class VendCredentialsRequestValidator : Validator<VendCredentialsRequest>
{
    public const int MaxTokenBytes = 16 * 1024;

    public VendCredentialsRequestValidator()
    {
        // Messages never quote the header: it holds the token.
        RuleFor(request => request.Authorization)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("The Authorization header is missing: send 'Authorization: Bearer <service-account token>'.")
            .Must(header => header!.StartsWith(VendCredentialsRequest.BearerPrefix, StringComparison.OrdinalIgnoreCase))
            .WithMessage("The Authorization header must use the Bearer scheme.");

        RuleFor(request => request.Token)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("The bearer token is empty.")
            .Must(token => token.Length <= MaxTokenBytes / 3 || (token.Length <= MaxTokenBytes && System.Text.Encoding.UTF8.GetByteCount(token) <= MaxTokenBytes))
            .WithMessage($"The bearer token is longer than {MaxTokenBytes / 1024} KiB.")
            .When(request => request.Authorization?.StartsWith(VendCredentialsRequest.BearerPrefix, StringComparison.OrdinalIgnoreCase) == true);
    }
}
