using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Tvm.Benchmarks;

/// <summary>What a burst of first requests cost upstream, and how many of them succeeded.</summary>
internal sealed record BurstResult(int Requests, int Succeeded, int TokenReviews, int AssumeRoles, TimeSpan Elapsed, string Failures);

/// <summary>
/// A rollout in miniature: many pods of one service account ask a freshly started TVM for credentials at the
/// same moment, each with its own token. Every token needs a review, but the credentials must come from one
/// AssumeRole that all of them share.
/// </summary>
internal static class BurstProbe
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public static async Task<BurstResult> RunAsync(
        ServerProcess tvm, Upstreams upstreams, IReadOnlyList<string> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tvm);
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentNullException.ThrowIfNull(tokens);
        upstreams.ResetCounters();

        // One connection per request, so that no request waits for another's connection to become free.
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = tokens.Count,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        using var client = new HttpClient(handler) { BaseAddress = tvm.BaseAddress, Timeout = RequestTimeout };
        var startingGun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = tokens.Select(token => VendAsync(client, token, startingGun.Task, cancellationToken)).ToArray();

        var elapsed = Stopwatch.StartNew();
        startingGun.SetResult();
        var statuses = await Task.WhenAll(requests);
        elapsed.Stop();

        var failures = statuses
            .Where(status => status != (int)HttpStatusCode.OK)
            .GroupBy(status => status)
            .Select(group => $"{Describe(group.Key)} × {group.Count()}");
        return new BurstResult(
            tokens.Count,
            statuses.Count(status => status == (int)HttpStatusCode.OK),
            upstreams.TokenReviews,
            upstreams.AssumeRoles,
            elapsed.Elapsed,
            string.Join(", ", failures));
    }

    /// <returns>The HTTP status, 0 when the request failed without one, -1 when it timed out.</returns>
    private static async Task<int> VendAsync(HttpClient client, string token, Task startingGun, CancellationToken cancellationToken)
    {
        await startingGun;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("vend", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return -1;
        }
    }

    private static string Describe(int status) => status switch
    {
        0 => "connection failure",
        -1 => "timeout",
        _ => $"HTTP {status}",
    };
}
