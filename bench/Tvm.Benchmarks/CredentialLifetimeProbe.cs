using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Tvm.Benchmarks;

/// <summary>How long credentials served from the cache still live, against the session duration TVM was given.</summary>
internal sealed record CredentialLifetime(TimeSpan Remaining, int SessionDurationSeconds)
{
    public double FractionOfSession => Remaining.TotalSeconds / SessionDurationSeconds;
    public bool KeepsHalf => FractionOfSession >= 0.5;
}

internal static class CredentialLifetimeProbe
{
    public static async Task<CredentialLifetime> MeasureAsync(
        Uri baseAddress, string token, int sessionDurationSeconds, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("vend", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var expiration = DateTimeOffset.Parse(
            json.RootElement.GetProperty("AWS_CREDENTIAL_EXPIRATION").GetString()!,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal);
        return new CredentialLifetime(expiration - DateTimeOffset.UtcNow, sessionDurationSeconds);
    }
}
