using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Tvm.Features.Vending;

/// <summary>How a service-account token arrives in the Authorization header, and the checks every endpoint applies to it.</summary>
public static class ServiceAccountToken
{
    public const string BearerPrefix = "Bearer ";
    public const int MaxBytes = 16 * 1024;

    /// <summary>Whether <paramref name="header"/> is <c>Bearer &lt;something&gt;</c> (the scheme is case-insensitive).</summary>
    public static bool UsesBearerScheme([NotNullWhen(true)] string? header) => header is not null && UsesBearerScheme(header.AsSpan());

    private static bool UsesBearerScheme(ReadOnlySpan<char> header) => header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The token of <c>Bearer &lt;token&gt;</c>, or empty when the header does not use the Bearer scheme.</summary>
    /// <remarks>
    /// A slice of the header, not a copy: the token is a kilobyte or more, and on a cache hit it is only hashed.
    /// A string of it is made only for the TokenReview of a cache miss.
    /// </remarks>
    public static ReadOnlyMemory<char> FromBearer(string? header) =>
        UsesBearerScheme(header) ? header.AsMemory(BearerPrefix.Length).Trim() : ReadOnlyMemory<char>.Empty;

    /// <summary>
    /// The AWS SDKs send the token file's content as the whole header, with no scheme; <c>Bearer &lt;token&gt;</c>
    /// is accepted too. Service-account tokens are JWTs or opaque strings without spaces, so a header with a space
    /// after a first word other than Bearer names some other scheme.
    /// </summary>
    public static ReadOnlyMemory<char> FromContainerAuthorization(string? header)
    {
        var value = header.AsMemory().Trim();
        if (value.Span.Equals(BearerPrefix.AsSpan().TrimEnd(), StringComparison.OrdinalIgnoreCase))
        {
            return ReadOnlyMemory<char>.Empty;
        }

        return UsesBearerScheme(value.Span) ? value[BearerPrefix.Length..].Trim() : value;
    }

    // Every character char.IsWhiteSpace accepts. Searched with SearchValues because it runs on every request over a
    // token of a kilobyte or more, and a vectorised search is many times faster than a test per character.
    private static readonly SearchValues<char> WhiteSpace = SearchValues.Create(
        "\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000");

    private static bool IsEmpty(ReadOnlySpan<char> token) => token.IsWhiteSpace();

    private static bool HoldsNoWhiteSpace(ReadOnlySpan<char> token) => !token.ContainsAny(WhiteSpace);

    // A UTF-16 code unit is at most 3 bytes of UTF-8, so short tokens need no count.
    private static bool FitsTheSizeLimit(ReadOnlySpan<char> token) =>
        token.Length <= MaxBytes / 3 || (token.Length <= MaxBytes && System.Text.Encoding.UTF8.GetByteCount(token) <= MaxBytes);

    /// <summary>Whether <paramref name="token"/> passes every rule of <see cref="MustBeUsableToken{T}"/>.</summary>
    public static bool IsUsable(ReadOnlySpan<char> token) => !IsEmpty(token) && HoldsNoWhiteSpace(token) && FitsTheSizeLimit(token);

    /// <summary>Rules shared by every request that carries a token. Messages never quote the header: it holds the token.</summary>
    public static IRuleBuilderOptions<T, ReadOnlyMemory<char>> MustBeUsableToken<T>(this IRuleBuilder<T, ReadOnlyMemory<char>> rule) =>
        rule
            .Must(token => !IsEmpty(token.Span)).WithMessage("The service-account token is empty.")
            .Must(token => HoldsNoWhiteSpace(token.Span)).WithMessage("The service-account token holds white space; send the token alone.")
            .Must(token => FitsTheSizeLimit(token.Span)).WithMessage($"The service-account token is longer than {MaxBytes / 1024} KiB.");
}
