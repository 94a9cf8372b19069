using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// Writes the API server's JSON bodies: <c>Status</c> objects for failed requests and TokenReview results,
/// with the field order and omissions of the Go types they mirror.
/// </summary>
internal static class KubernetesJson
{
    // Go's encoder only escapes <, > and &; the relaxed encoder keeps messages readable in the same way.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string JsonContentType = "application/json";

    /// <summary>A <c>metav1.Status</c> failure, as every non-2xx apiserver answer carries.</summary>
    public static Task WriteStatusAsync(
        HttpContext context,
        int code,
        string reason,
        string message,
        Action<Utf8JsonWriter>? writeDetails = null) =>
        WriteAsync(context, code, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("kind", "Status");
            writer.WriteString("apiVersion", "v1");
            writer.WriteStartObject("metadata");
            writer.WriteEndObject();
            writer.WriteString("status", "Failure");
            writer.WriteString("message", message);
            writer.WriteString("reason", reason);
            if (writeDetails is not null)
            {
                writer.WriteStartObject("details");
                writeDetails(writer);
                writer.WriteEndObject();
            }

            writer.WriteNumber("code", code);
            writer.WriteEndObject();
        });

    /// <summary>The created TokenReview: spec echoed as received, status filled in (201 Created).</summary>
    public static Task WriteTokenReviewAsync(
        HttpContext context,
        string token,
        IReadOnlyList<string> specAudiences,
        TokenReviewOutcome outcome) =>
        WriteAsync(context, StatusCodes.Status201Created, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("kind", "TokenReview");
            writer.WriteString("apiVersion", "authentication.k8s.io/v1");
            writer.WriteStartObject("metadata");
            writer.WriteNull("creationTimestamp");
            writer.WriteEndObject();

            writer.WriteStartObject("spec");
            writer.WriteString("token", token);
            if (specAudiences.Count > 0)
            {
                WriteStrings(writer, "audiences", specAudiences);
            }

            writer.WriteEndObject();

            // status.authenticated is omitempty in Go: a failed review has no such field at all.
            writer.WriteStartObject("status");
            if (outcome.Authenticated)
            {
                writer.WriteBoolean("authenticated", true);
            }

            WriteUser(writer, outcome.User);
            if (outcome.Audiences.Count > 0)
            {
                WriteStrings(writer, "audiences", outcome.Audiences);
            }

            if (!string.IsNullOrEmpty(outcome.Error))
            {
                writer.WriteString("error", outcome.Error);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    private static void WriteUser(Utf8JsonWriter writer, AuthenticatedUser? user)
    {
        writer.WriteStartObject("user");
        if (user is not null)
        {
            writer.WriteString("username", user.Username);
            if (!string.IsNullOrEmpty(user.Uid))
            {
                writer.WriteString("uid", user.Uid);
            }

            WriteStrings(writer, "groups", user.Groups);
            if (user.Extra.Count > 0)
            {
                // Go marshals maps with sorted keys.
                writer.WriteStartObject("extra");
                foreach (var (key, values) in user.Extra.OrderBy(entry => entry.Key, StringComparer.Ordinal))
                {
                    WriteStrings(writer, key, values);
                }

                writer.WriteEndObject();
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string propertyName, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(propertyName);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    // Buffered so the answer goes out with a Content-Length, as the apiserver sends small bodies.
    private static async Task WriteAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
