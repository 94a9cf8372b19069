using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Tvm.Emulators.Sts;

/// <summary>
/// Checks AWS Signature Version 4 header authentication the way AWS does: it rebuilds the canonical request from what
/// arrived on the wire, derives the signing key from the caller's secret and compares signatures in constant time.
/// Any region in the credential scope is accepted (real regional endpoints insist on their own); the service must be
/// "sts". Query-string (presigned) authentication is not supported.
/// </summary>
internal sealed class SigV4Verifier(CallerDirectory callers, TimeProvider time)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string Service = "sts";
    private const string Terminator = "aws4_request";
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    // AWS refuses a signature dated more than 15 minutes away from its own clock.
    private static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);

    public bool TryVerify(
        HttpRequest request,
        string rawTarget,
        byte[] body,
        [NotNullWhen(true)] out StsCaller? caller,
        [NotNullWhen(false)] out StsError? error)
    {
        caller = null;
        var authorizationHeader = request.Headers.Authorization;
        if (StringValues.IsNullOrEmpty(authorizationHeader))
        {
            error = StsError.MissingAuthenticationToken;
            return false;
        }

        if (!SigV4Authorization.TryParse(authorizationHeader.ToString(), out var authorization, out error))
        {
            return false;
        }

        string? amzDateText = request.Headers["X-Amz-Date"];
        if (string.IsNullOrEmpty(amzDateText))
        {
            error = StsError.IncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            return false;
        }

        if (!DateTimeOffset.TryParseExact(
                amzDateText, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            error = StsError.IncompleteSignature($"Date must be in ISO-8601 'basic format'. Got '{amzDateText}'.");
            return false;
        }

        if (!TryCheckScope(authorization, amzDateText, out error))
        {
            return false;
        }

        if (!callers.TryResolve(authorization.AccessKeyId, request.Headers["X-Amz-Security-Token"], out var identity, out error))
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (signedAt < now - AllowedClockSkew)
        {
            error = StsError.SignatureDoesNotMatch(
                $"Signature expired: {amzDateText} is now earlier than {(now - AllowedClockSkew).ToString(AmzDateFormat, CultureInfo.InvariantCulture)} "
                + $"({now.ToString(AmzDateFormat, CultureInfo.InvariantCulture)} - 15 min.)");
            return false;
        }

        if (signedAt > now + AllowedClockSkew)
        {
            error = StsError.SignatureDoesNotMatch(
                $"Signature not yet current: {amzDateText} is still later than {(now + AllowedClockSkew).ToString(AmzDateFormat, CultureInfo.InvariantCulture)} "
                + $"({now.ToString(AmzDateFormat, CultureInfo.InvariantCulture)} + 15 min.)");
            return false;
        }

        // The signer may state the payload hash in a header; it has to be the hash of the body that actually arrived.
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        string? declaredPayloadHash = request.Headers["X-Amz-Content-SHA256"];
        if (declaredPayloadHash is not null && !string.Equals(declaredPayloadHash, payloadHash, StringComparison.Ordinal))
        {
            error = StsError.SignatureDoesNotMatch("The provided 'x-amz-content-sha256' header does not match what was computed.");
            return false;
        }

        var canonicalRequest = CanonicalRequest(request, rawTarget, authorization.SignedHeaders, payloadHash);
        var stringToSign = string.Join(
            '\n',
            Algorithm,
            amzDateText,
            authorization.Scope,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var signingKey = SigningKey(identity.SecretAccessKey, authorization.Date, authorization.Region);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            error = StsError.SignatureMismatch;
            return false;
        }

        // A correctly signed request with expired temporary credentials is told so, rather than "invalid".
        if (identity.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            error = StsError.ExpiredToken;
            return false;
        }

        caller = identity.Caller;
        error = null;
        return true;
    }

    private static bool TryCheckScope(SigV4Authorization authorization, string amzDateText, [NotNullWhen(false)] out StsError? error)
    {
        error = null;
        if (!string.Equals(authorization.Date, amzDateText[..8], StringComparison.Ordinal))
        {
            error = StsError.SignatureDoesNotMatch(
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + $"'{authorization.Date}' != '{amzDateText[..8]}', from '{amzDateText}'.");
        }
        else if (!string.Equals(authorization.Service, Service, StringComparison.Ordinal))
        {
            error = StsError.SignatureDoesNotMatch($"Credential should be scoped to correct service: '{Service}'. ");
        }
        else if (!string.Equals(authorization.Terminator, Terminator, StringComparison.Ordinal))
        {
            error = StsError.SignatureDoesNotMatch(
                $"Credential should be scoped with a valid terminator: '{Terminator}', not '{authorization.Terminator}'.");
        }
        else if (authorization.Region.Length == 0)
        {
            error = StsError.SignatureDoesNotMatch("Credential should be scoped to a valid region. ");
        }
        else if (!authorization.SignedHeaders.Contains("host"))
        {
            error = StsError.SignatureDoesNotMatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        return error is null;
    }

    private static byte[] SigningKey(string secretAccessKey, string date, string region)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Service));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Terminator));
    }

    /// <summary>
    /// method, canonical URI, canonical query string, canonical headers, signed headers and payload hash, one per line.
    /// Built from the raw request target so the client's own percent-encoding is what gets checked.
    /// </summary>
    internal static string CanonicalRequest(HttpRequest request, string rawTarget, IReadOnlyList<string> signedHeaders, string payloadHash)
    {
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];

        var builder = new StringBuilder(512)
            .Append(request.Method).Append('\n')
            .Append(CanonicalUri(rawPath)).Append('\n')
            .Append(CanonicalQueryString(rawQuery)).Append('\n');

        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(request.Headers[name])).Append('\n');
        }

        return builder.Append('\n')
            .Append(string.Join(';', signedHeaders)).Append('\n')
            .Append(payloadHash)
            .ToString();
    }

    // Every service but S3 encodes the path twice: the wire path is encoded once, so it is encoded once more here.
    private static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0 || rawPath == "/")
        {
            return "/";
        }

        return string.Join('/', rawPath.Split('/').Select(segment => UriEncode(segment)));
    }

    private static string CanonicalQueryString(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }

        var pairs = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? "" : pair[(equals + 1)..];
                return (Name: UriEncode(Uri.UnescapeDataString(name)), Value: UriEncode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(pair => pair.Name, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal);

        return string.Join('&', pairs.Select(pair => pair.Name + "=" + pair.Value));
    }

    // Values are trimmed and inner runs of spaces collapsed; repeated headers are joined with commas.
    private static string CanonicalHeaderValue(StringValues values)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            var previousWasSpace = false;
            foreach (var character in (values[i] ?? "").AsSpan().Trim())
            {
                if (character == ' ' && previousWasSpace)
                {
                    continue;
                }

                previousWasSpace = character == ' ';
                builder.Append(character);
            }
        }

        return builder.ToString();
    }

    /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else as uppercase %XX of UTF-8.</summary>
    private static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}

/// <summary>The parts of <c>Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...</c>.</summary>
internal sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    string Terminator,
    IReadOnlyList<string> SignedHeaders,
    string Signature)
{
    public string Scope => $"{Date}/{Region}/{Service}/{Terminator}";

    public static bool TryParse(
        string header,
        [NotNullWhen(true)] out SigV4Authorization? authorization,
        [NotNullWhen(false)] out StsError? error)
    {
        authorization = null;
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? header : header[..space];
        if (!string.Equals(algorithm, "AWS4-HMAC-SHA256", StringComparison.Ordinal))
        {
            error = StsError.IncompleteSignature($"Unsupported AWS 'algorithm': '{algorithm}'.");
            return false;
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[(space + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var value = part[(equals + 1)..];
            switch (part[..equals])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default: break;
            }
        }

        var missing = new List<string>(3);
        if (string.IsNullOrEmpty(credential))
        {
            missing.Add("Authorization header requires 'Credential' parameter.");
        }

        if (string.IsNullOrEmpty(signature))
        {
            missing.Add("Authorization header requires 'Signature' parameter.");
        }

        if (string.IsNullOrEmpty(signedHeaders))
        {
            missing.Add("Authorization header requires 'SignedHeaders' parameter.");
        }

        if (missing.Count > 0)
        {
            error = StsError.IncompleteSignature(string.Join(' ', missing));
            return false;
        }

        var scope = credential!.Split('/');
        if (scope.Length != 5 || scope[0].Length == 0)
        {
            error = StsError.IncompleteSignature(
                $"Credential should have the form 'AccessKeyId/yyyyMMdd/region/service/aws4_request', got '{scope.Length}' parts.");
            return false;
        }

        authorization = new SigV4Authorization(
            scope[0], scope[1], scope[2], scope[3], scope[4], signedHeaders!.Split(';'), signature!);
        error = null;
        return true;
    }
}
