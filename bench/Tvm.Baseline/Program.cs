using System.Globalization;
using System.Security.Cryptography;
using FastEndpoints;
using Tvm.Baseline;

// The fastest honest answer this stack gives to POST /vend: a JSON object of the shape and size TVM returns,
// serialized per request, with the same Cache-Control header. No logging, no validation, no upstream calls.
// BASELINE_FRAMEWORK=fastendpoints serves the same answer from a FastEndpoints endpoint instead of a minimal API.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var fastEndpoints = string.Equals(Environment.GetEnvironmentVariable("BASELINE_FRAMEWORK"), "fastendpoints", StringComparison.OrdinalIgnoreCase);
if (fastEndpoints)
{
    builder.Services.AddFastEndpoints(options =>
    {
        options.DisableAutoDiscovery = true;
        options.Assemblies = [typeof(SampleCredentials).Assembly];
    });
}

var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var configured)
    ? configured
    : 8000;
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");

var app = builder.Build();
if (fastEndpoints)
{
    app.UseFastEndpoints();
}
else
{
    app.MapPost("/vend", (HttpContext context) =>
    {
        context.Response.Headers.CacheControl = "no-store";
        return SampleCredentials.Shared.WithExpiration(DateTimeOffset.UtcNow.AddHours(1));
    });
}

app.MapGet("/healthz", () => new HealthStatus("Healthy"));

app.Run();

namespace Tvm.Baseline
{
    /// <summary>The minimal API's answer as a FastEndpoints endpoint: what the framework adds, with nothing of TVM's.</summary>
    internal sealed class VendEndpoint : EndpointWithoutRequest<SampleCredentials>
    {
        public override void Configure()
        {
            Post("/vend");
            AllowAnonymous();
        }

        public override Task HandleAsync(CancellationToken ct)
        {
            HttpContext.Response.Headers.CacheControl = "no-store";
            return Send.OkAsync(SampleCredentials.Shared.WithExpiration(DateTimeOffset.UtcNow.AddHours(1)), ct);
        }
    }

    internal sealed record HealthStatus([property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status);

    /// <summary>Same keys and value lengths as TVM's answer: 20-character key id, 40-character secret, ~400-character session token.</summary>
    internal sealed record SampleCredentials(
        [property: System.Text.Json.Serialization.JsonPropertyName("AWS_ACCESS_KEY_ID")] string AccessKeyId,
        [property: System.Text.Json.Serialization.JsonPropertyName("AWS_SECRET_ACCESS_KEY")] string SecretAccessKey,
        [property: System.Text.Json.Serialization.JsonPropertyName("AWS_SESSION_TOKEN")] string SessionToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("AWS_CREDENTIAL_EXPIRATION")] string Expiration)
    {
        private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        public static SampleCredentials Shared { get; } = Create();

        public static SampleCredentials Create() => new(
            "ASIA" + RandomNumberGenerator.GetString(IdAlphabet, 16),
            RandomNumberGenerator.GetString(SecretAlphabet, 40),
            "IQoJb3JpZ2luX2Vj" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(300)),
            "");

        // Formatted per request, as TVM formats the expiry of the credentials it hands out.
        public SampleCredentials WithExpiration(DateTimeOffset expiration) =>
            this with { Expiration = expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) };
    }
}
