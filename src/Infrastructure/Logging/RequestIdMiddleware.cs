using System.Buffers;
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
            : Guid.CreateVersion7().ToString("N");

        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        Activity.Current?.SetTag(TvmTelemetry.RequestIdTag, requestId);
        using (LogContext.Push(new RequestIdEnricher(requestId)))
        {
            await next(context);
        }
    }

    private static string? IsSafe(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= MaxLength } value)
        {
            return null;
        }

        return value.AsSpan().ContainsAnyExcept(SafeCharacters) ? null : value;
    }
}
