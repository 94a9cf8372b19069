using Microsoft.Net.Http.Headers;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Tvm.Features.Vending;

/// <summary>The one place where a vend failure becomes a status code, a title and the headers that go with it.</summary>
public static class VendErrorMapping
{
    private const string RetryAfterSeconds = "2";

    public static (int Status, string Title) Describe(VendError error) => error switch
    {
        VendError.MissingBearerToken => (StatusCodes.Status401Unauthorized, "Bearer token required"),
        VendError.InvalidToken => (StatusCodes.Status401Unauthorized, "Invalid token"),
        VendError.NotServiceAccount => (StatusCodes.Status403Forbidden, "Not a service account"),
        VendError.PolicyRenderFailed => (StatusCodes.Status500InternalServerError, "Policy template failed"),
        VendError.KubernetesRefused => (StatusCodes.Status502BadGateway, "Kubernetes API refused TVM"),
        VendError.KubernetesUnavailable => (StatusCodes.Status503ServiceUnavailable, "Kubernetes API unavailable"),
        VendError.StsThrottled => (StatusCodes.Status503ServiceUnavailable, "STS throttled the request"),
        VendError.StsRefused => (StatusCodes.Status502BadGateway, "STS refused AssumeRole"),
        VendError.StsUnavailable => (StatusCodes.Status503ServiceUnavailable, "STS unavailable"),
        VendError.RateLimited => (StatusCodes.Status429TooManyRequests, "Too many requests"),
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    /// <summary>A request the framework could not read (a body it cannot decode, say): the client's fault, never a 5xx.</summary>
    public static Task WriteRequestProblemAsync(HttpContext context, int status, string detail) =>
        WriteAsync(context, status, "The request is not valid", detail);

    public static Task WriteProblemAsync(HttpContext context, VendError error, string detail, TimeSpan? retryAfter = null)
    {
        var (status, title) = Describe(error);
        var headers = context.Response.Headers;
        switch (error)
        {
            case VendError.MissingBearerToken:
                headers.WWWAuthenticate = "Bearer";
                break;
            case VendError.InvalidToken:
                headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                break;
        }

        if (retryAfter is { } wait)
        {
            headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            headers.RetryAfter = RetryAfterSeconds;
        }

        return WriteAsync(context, status, title, detail);
    }

    private static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
