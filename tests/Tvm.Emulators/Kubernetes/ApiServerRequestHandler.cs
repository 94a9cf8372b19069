using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// The HTTP face of the emulated kube-apiserver: the TokenReview endpoint, the unauthenticated health and version
/// endpoints, and Status answers for everything else. Failure order follows the apiserver's filter chain:
/// authentication (401), authorization (403), then request decoding (400).
/// </summary>
internal sealed class ApiServerRequestHandler(KubernetesApiEmulator emulator, TokenReviewAuthenticator authenticator)
{
    private const string TokenReviewGroup = "authentication.k8s.io";
    private const string TokenReviewApiVersion = "authentication.k8s.io/v1";
    private const string TokenReviewKind = "TokenReview";

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (string.Equals(path, KubernetesApiEmulator.TokenReviewPath, StringComparison.Ordinal))
        {
            return HttpMethods.IsPost(context.Request.Method)
                ? HandleTokenReviewAsync(context)
                : RejectMethodAsync(context);
        }

        // system:public-info-viewer lets anyone read these on a real cluster.
        switch (path)
        {
            case "/healthz" or "/livez" or "/readyz":
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync("ok", context.RequestAborted);
            case "/version":
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(
                    """{"major":"1","minor":"34","gitVersion":"v1.34.0","platform":"linux/amd64"}""",
                    context.RequestAborted);
        }

        return IsCaller(context.Request)
            ? KubernetesJson.WriteStatusAsync(context, StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource")
            : WriteUnauthorizedAsync(context);
    }

    private async Task HandleTokenReviewAsync(HttpContext context)
    {
        emulator.CountTokenReview();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, emulator.StoppingToken);
        try
        {
            var review = await TokenReviewRequest.ReadAsync(context.Request, abort.Token);
            string? tokenSha256 = null;
            if (!string.IsNullOrEmpty(review.Token))
            {
                tokenSha256 = KubernetesApiEmulator.Sha256Hex(review.Token);
                emulator.RecordReview(tokenSha256, review.Audiences);
            }

            var fault = emulator.TakeFault();
            if (fault == KubernetesFault.Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, abort.Token);
            }

            var latency = emulator.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, abort.Token);
            }

            if (fault == KubernetesFault.RefuseCaller || !IsCaller(context.Request))
            {
                await WriteUnauthorizedAsync(context);
            }
            else if (fault == KubernetesFault.ForbidCaller)
            {
                await WriteForbiddenAsync(context);
            }
            else if (fault == KubernetesFault.ServerError)
            {
                await KubernetesJson.WriteStatusAsync(
                    context,
                    StatusCodes.Status500InternalServerError,
                    "InternalError",
                    "Internal error occurred: etcdserver: request timed out",
                    details => WriteCauses(details, "etcdserver: request timed out"));
            }
            else if (fault == KubernetesFault.Throttle)
            {
                context.Response.Headers.RetryAfter = "1";
                await KubernetesJson.WriteStatusAsync(
                    context,
                    StatusCodes.Status429TooManyRequests,
                    "TooManyRequests",
                    "Too many requests, please try again later.",
                    details => details.WriteNumber("retryAfterSeconds", 1));
            }
            else if (review.Error is not null)
            {
                await KubernetesJson.WriteStatusAsync(context, StatusCodes.Status400BadRequest, "BadRequest", review.Error);
            }
            else
            {
                var outcome = authenticator.Review(review.Token!, tokenSha256!, review.Audiences);
                await KubernetesJson.WriteTokenReviewAsync(context, review.Token!, review.Audiences, outcome);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The client gave up or the emulator is shutting down: drop the connection without an answer.
            context.Abort();
        }
    }

    private Task RejectMethodAsync(HttpContext context) =>
        IsCaller(context.Request)
            ? KubernetesJson.WriteStatusAsync(
                context,
                StatusCodes.Status405MethodNotAllowed,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource")
            : WriteUnauthorizedAsync(context);

    // bearertoken.Authenticator: "Bearer" is matched case-insensitively, the token exactly.
    private bool IsCaller(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString().AsSpan().Trim();
        const string scheme = "Bearer ";
        return header.Length > scheme.Length
            && header[..scheme.Length].Equals(scheme, StringComparison.OrdinalIgnoreCase)
            && header[scheme.Length..].Trim().Equals(emulator.CallerToken, StringComparison.Ordinal);
    }

    private static Task WriteUnauthorizedAsync(HttpContext context) =>
        KubernetesJson.WriteStatusAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Unauthorized");

    private Task WriteForbiddenAsync(HttpContext context) =>
        KubernetesJson.WriteStatusAsync(
            context,
            StatusCodes.Status403Forbidden,
            "Forbidden",
            $"tokenreviews.{TokenReviewGroup} is forbidden: User \"{emulator.CallerUsername}\" cannot create resource \"tokenreviews\" in API group \"{TokenReviewGroup}\" at the cluster scope",
            details =>
            {
                details.WriteString("group", TokenReviewGroup);
                details.WriteString("kind", "tokenreviews");
            });

    private static void WriteCauses(Utf8JsonWriter details, string message)
    {
        details.WriteStartArray("causes");
        details.WriteStartObject();
        details.WriteString("message", message);
        details.WriteEndObject();
        details.WriteEndArray();
    }

    /// <summary>The decoded request body; <see cref="Error"/> is the 400 message when it cannot be served.</summary>
    private sealed record TokenReviewRequest(string? Token, IReadOnlyList<string> Audiences, string? Error)
    {
        public static async Task<TokenReviewRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            }
            catch (JsonException e)
            {
                return Invalid($"couldn't get version/kind; json parse error: {e.Message}");
            }

            using (document)
            {
                return Decode(document.RootElement);
            }
        }

        // Missing kind/apiVersion default to the endpoint's, as the apiserver's decoder does; wrong ones are refused.
        private static TokenReviewRequest Decode(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Invalid("couldn't get version/kind; json parse error: the request body is not a JSON object");
            }

            if (StringProperty(root, "apiVersion") is { } apiVersion && !string.Equals(apiVersion, TokenReviewApiVersion, StringComparison.Ordinal))
            {
                return Invalid($"the API version in the data ({apiVersion}) does not match the expected API version ({TokenReviewApiVersion})");
            }

            if (StringProperty(root, "kind") is { } kind && !string.Equals(kind, TokenReviewKind, StringComparison.Ordinal))
            {
                return Invalid($"the kind in the data ({kind}) does not match the expected kind ({TokenReviewKind})");
            }

            if (!root.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object)
            {
                return Invalid("token is required for TokenReview in authentication");
            }

            var audiences = new List<string>();
            if (spec.TryGetProperty("audiences", out var audienceArray) && audienceArray.ValueKind != JsonValueKind.Null)
            {
                if (audienceArray.ValueKind != JsonValueKind.Array)
                {
                    return Invalid("TokenReview in version \"v1\" cannot be handled as a TokenReview: spec.audiences must be an array of strings");
                }

                foreach (var audience in audienceArray.EnumerateArray())
                {
                    if (audience.ValueKind != JsonValueKind.String)
                    {
                        return Invalid("TokenReview in version \"v1\" cannot be handled as a TokenReview: spec.audiences must be an array of strings");
                    }

                    audiences.Add(audience.GetString()!);
                }
            }

            if (spec.TryGetProperty("token", out var token) && token.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return Invalid("TokenReview in version \"v1\" cannot be handled as a TokenReview: spec.token must be a string");
            }

            var tokenText = token.ValueKind == JsonValueKind.String ? token.GetString() : null;
            return string.IsNullOrEmpty(tokenText)
                ? new TokenReviewRequest(null, audiences, "token is required for TokenReview in authentication")
                : new TokenReviewRequest(tokenText, audiences, null);
        }

        private static string? StringProperty(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static TokenReviewRequest Invalid(string error) => new(null, [], error);
    }
}
