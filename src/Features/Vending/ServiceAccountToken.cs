using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Tvm.Features.Vending;

/// <summary>How a service-account token arrives in the Authorization header, and the checks every endpoint applies to it.</summary>
public static class ServiceAccountToken
{
    public const string BearerPrefix = "Bearer ";
    public const int MaxBytes = 16 * 1024;

    /// <summary>Whether <paramref name="header"/> is <c>Bearer &lt;something&gt;</c> (the scheme is case-insensitive).</summary>
    public static bool UsesBearerScheme([NotNullWhen(true)] string? header) =>
        header is not null && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The token of <c>Bearer &lt;token&gt;</c>, or "" when the header does not use the Bearer scheme.</summary>
    public static string FromBearer(string? header) => UsesBearerScheme(header) ? header[BearerPrefix.Length..].Trim() : "";

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

        return UsesBearerScheme(value) ? value[BearerPrefix.Length..].Trim() : value;
    }

    // Every character char.IsWhiteSpace accepts. Searched with SearchValues because it runs on every request over a
    // token of a kilobyte or more, and a vectorised search is many times faster than a test per character.
    private static readonly SearchValues<char> WhiteSpace = SearchValues.Create(
        "\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000");

    private static bool HoldsNoWhiteSpace(string token) => !token.AsSpan().ContainsAny(WhiteSpace);

    // A UTF-16 code unit is at most 3 bytes of UTF-8, so short tokens need no count.
    private static bool FitsTheSizeLimit(string token) =>
        token.Length <= MaxBytes / 3 || (token.Length <= MaxBytes && System.Text.Encoding.UTF8.GetByteCount(token) <= MaxBytes);

    /// <summary>Whether <paramref name="token"/> passes every rule of <see cref="MustBeUsableToken{T}"/>.</summary>
    public static bool IsUsable(string token) => !string.IsNullOrWhiteSpace(token) && HoldsNoWhiteSpace(token) && FitsTheSizeLimit(token);

    /// <summary>Rules shared by every request that carries a token. Messages never quote the header: it holds the token.</summary>
    public static IRuleBuilderOptions<T, string> MustBeUsableToken<T>(this IRuleBuilder<T, string> rule) =>
        rule
            .NotEmpty().WithMessage("The service-account token is empty.")
            .Must(HoldsNoWhiteSpace).WithMessage("The service-account token holds white space; send the token alone.")
            .Must(FitsTheSizeLimit).WithMessage($"The service-account token is longer than {MaxBytes / 1024} KiB.");
}
