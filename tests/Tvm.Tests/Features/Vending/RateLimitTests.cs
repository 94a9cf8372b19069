using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Features.Vending;

/// <summary>The rate limits through real sockets (failed authentications are counted per client address).</summary>
public sealed class RateLimitTests(Upstreams upstreams) : IAsyncLifetime
{
    private TvmProcess? _tvm;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_tvm is not null)
        {
            await _tvm.DisposeAsync();
        }
    }

    private async Task<HttpResponseMessage> VendAsync(string token)
    {
        using var client = new HttpClient { BaseAddress = _tvm!.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "vend");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_identity_over_its_bucket_gets_429_while_another_still_gets_200()
    {
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?> { ["RATE_LIMIT_PER_IDENTITY"] = "1", ["RATE_LIMIT_BURST"] = "3" });
        var busy = upstreams.Kubernetes.MintProjectedToken("api", "busy");

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await VendAsync(busy);
            allowed.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var limited = await VendAsync(busy);
        using var other = await VendAsync(upstreams.Kubernetes.MintProjectedToken("api", "quiet"));

        (await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests)).Detail().Should().Contain("api/busy");
        limited.Headers.RetryAfter?.Delta.Should().BeGreaterThan(TimeSpan.Zero);
        other.StatusCode.Should().Be(HttpStatusCode.OK, "identities do not affect each other");
        (await _tvm.WaitForStdoutLineAsync(line => line.Contains("\"Outcome\":\"RateLimited\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5))).Should().BeTrue();
    }

    [Fact]
    public async Task Failed_authentications_are_limited_per_address_before_they_reach_the_api_server()
    {
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?> { ["AUTH_FAILURES_PER_MINUTE"] = "3" });

        for (var i = 0; i < 3; i++)
        {
            using var refused = await VendAsync($"garbage-{i}");
            refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var reviewsBefore = upstreams.Kubernetes.TokenReviewCount;
        using var limited = await VendAsync("garbage-3");
        using var evenValid = await VendAsync(upstreams.Kubernetes.MintProjectedToken("api", "web"));

        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.Should().NotBeNull();
        evenValid.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is blocked for the rest of the window");
        upstreams.Kubernetes.TokenReviewCount.Should().Be(reviewsBefore, "a blocked address costs the API server nothing");
    }

    [Fact]
    public async Task Successful_vends_do_not_use_up_the_failure_budget()
    {
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?> { ["AUTH_FAILURES_PER_MINUTE"] = "1" });
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");

        for (var i = 0; i < 5; i++)
        {
            using var response = await VendAsync(token);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task With_the_example_overlays_limits_a_thousand_pods_starting_together_all_get_200()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?>
        {
            ["RATE_LIMIT_PER_IDENTITY"] = "50",
            ["RATE_LIMIT_BURST"] = "1000",
            ["AUTH_FAILURES_PER_MINUTE"] = "60",
            ["LOG_LEVEL"] = "WARNING",
        });
        var client = app.CreateClient();
        var tokens = Enumerable.Range(0, 1000).Select(i => upstreams.Kubernetes.MintProjectedToken("payments", "api", podName: $"api-{i}")).ToList();

        var statuses = await Task.WhenAll(tokens.Select(async token =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/vend") { Headers = { { "Authorization", "Bearer " + token } } };
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }));

        statuses.Should().AllSatisfy(status => status.Should().Be(HttpStatusCode.OK));
    }
}
