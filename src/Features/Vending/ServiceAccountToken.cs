namespace Tvm.Features.Vending;

/// <summary>How a service-account token arrives in the Authorization header, and the checks every endpoint applies to it.</summary>
public static class ServiceAccountToken
{
    public const string BearerPrefix = "Bearer ";
    public const int MaxBytes = 16 * 1024;

    /// <summary>The token of <c>Bearer &lt;token&gt;</c>, or "" when the header does not use the Bearer scheme.</summary>
    public static string FromBearer(string? header) =>
        header is not null && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : "";

    /// <summary>
    /// The AWS SDKs send the token file's content as the whole header, with no scheme; <c>Bearer &lt;token&gt;</c>
    /// is accepted too. Service-account tokens are JWTs or opaque strings without spaces, so a header with a space
    /// after a first word other than Bearer names some other scheme.
    /// </summary>
    public static string FromContainerAuthorization(string? header)
    {
        var value = header?.Trim() ?? "";
        if (value.Equals(BearerPrefix.TrimEnd(), StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        return value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? value[BearerPrefix.Length..].Trim() : value;
    }

    // Runs on every request over a token of a kilobyte or more: a plain loop, no enumerator or delegate per character.
    private static bool HoldsNoWhiteSpace(string token)
    {
        foreach (var character in token)
        {
            if (char.IsWhiteSpace(character))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Rules shared by every request that carries a token. Messages never quote the header: it holds the token.</summary>
    public static IRuleBuilderOptions<T, string> MustBeUsableToken<T>(this IRuleBuilder<T, string> rule) =>
        rule
            .NotEmpty().WithMessage("The service-account token is empty.")
            .Must(HoldsNoWhiteSpace).WithMessage("The service-account token holds white space; send the token alone.")
            .Must(token => token.Length <= MaxBytes / 3 || (token.Length <= MaxBytes && System.Text.Encoding.UTF8.GetByteCount(token) <= MaxBytes))
            .WithMessage($"The service-account token is longer than {MaxBytes / 1024} KiB.");
}
