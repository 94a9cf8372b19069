using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Serilog.Context;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// Adopts the caller's X-Request-ID when it is short and plain (so it can be logged and echoed safely),
/// otherwise makes one; echoes it back and tags the request's logs and span with it.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-ID";
    private const int MaxLength = 128;
    private static readonly SearchValues<char> SafeCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/+=@");

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = IsSafe(context.Request.Headers[HeaderName]) is { } incoming
            ? incoming
            : NextRequestId();

        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        Activity.Current?.SetTag(TvmTelemetry.RequestIdTag, requestId);
        using (LogContext.Push(new RequestIdEnricher(requestId)))
        {
            await next(context);
        }
    }

    // 32 lowercase hex digits: a random prefix drawn once per process, then a counter. Unique within the process and,
    // with 64 random bits, across replicas; unlike a random GUID per request it costs no system call.
    private static readonly ulong ProcessPrefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
    private static long _sequence;

    internal static string NextRequestId() =>
        string.Create(32, (ulong)Interlocked.Increment(ref _sequence), static (digits, sequence) =>
        {
            ProcessPrefix.TryFormat(digits[..16], out _, "x16", CultureInfo.InvariantCulture);
            sequence.TryFormat(digits[16..], out _, "x16", CultureInfo.InvariantCulture);
        });

    private static string? IsSafe(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= MaxLength } value)
        {
            return null;
        }

        return value.AsSpan().ContainsAnyExcept(SafeCharacters) ? null : value;
    }
}
