namespace Tvm.Tests.Features.Vending;

/// <summary>The caches as a cluster sees them, through the real clients and emulators.</summary>
public sealed class VendCachingTests(Upstreams upstreams)
{
    [Fact]
    public async Task A_thousand_pods_of_one_service_account_starting_together_cause_one_assume_role()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["LOG_LEVEL"] = "WARNING" });
        var tokens = Enumerable.Range(0, 1000)
            .Select(i => upstreams.Kubernetes.MintProjectedToken("payments", "api", podName: $"api-{i}"))
            .ToList();
        upstreams.Sts.Latency = TimeSpan.FromMilliseconds(50);
        var client = app.CreateClient();

        var responses = await Task.WhenAll(tokens.Select(async token =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/vend") { Headers = { { "Authorization", "Bearer " + token } } };
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }));

        responses.Should().AllSatisfy(r => r.StatusCode.Should().Be(HttpStatusCode.OK, r.Body));
        upstreams.Sts.AssumeRoleCount.Should().Be(1);
        upstreams.Kubernetes.TokenReviewCount.Should().Be(1000, "every pod's token is its own and is reviewed");
        responses.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("AWS_ACCESS_KEY_ID").GetString()).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task A_token_presented_again_is_not_reviewed_again()
    {
        await using var app = new TvmApp(upstreams);
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");

        await VendTimesAsync(app, token, 3);

        upstreams.Kubernetes.TokenReviewCount.Should().Be(1);
        upstreams.Sts.AssumeRoleCount.Should().Be(1);
    }

    [Fact]
    public async Task Zero_review_cache_seconds_reviews_every_request()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["TOKEN_REVIEW_CACHE_SECONDS"] = "0" });
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");

        await VendTimesAsync(app, token, 3);

        upstreams.Kubernetes.TokenReviewCount.Should().Be(3);
        upstreams.Sts.AssumeRoleCount.Should().Be(1, "credentials are still cached");
    }

    [Fact]
    public async Task Zero_credential_cache_size_assumes_the_role_for_every_request()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["CREDENTIAL_CACHE_SIZE"] = "0", ["TOKEN_REVIEW_CACHE_SECONDS"] = "0" });
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");

        await VendTimesAsync(app, token, 3);

        upstreams.Kubernetes.TokenReviewCount.Should().Be(3);
        upstreams.Sts.AssumeRoleCount.Should().Be(3);
    }

    [Fact]
    public async Task Turning_credential_caching_off_leaves_the_review_cache_working()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["CREDENTIAL_CACHE_SIZE"] = "0" });
        var tokens = new[] { upstreams.Kubernetes.MintProjectedToken("api", "web"), upstreams.Kubernetes.MintProjectedToken("api", "db") };

        foreach (var token in tokens.Concat(tokens))
        {
            await VendTimesAsync(app, token, 1);
        }

        upstreams.Kubernetes.TokenReviewCount.Should().Be(2, "both reviews stay cached");
        upstreams.Sts.AssumeRoleCount.Should().Be(4);
    }

    [Fact]
    public async Task A_failed_assume_role_is_retried_by_the_next_request()
    {
        await using var app = new TvmApp(upstreams);
        upstreams.Sts.Fault = Emulators.Sts.StsFault.AccessDenied;
        using (var denied = await app.VendAsync(upstreams.Kubernetes.MintProjectedToken("api", "web")))
        {
            await denied.ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        }

        upstreams.Sts.Fault = Emulators.Sts.StsFault.None;
        using var granted = await app.VendAsync(upstreams.Kubernetes.MintProjectedToken("api", "web"));

        await granted.ShouldBeCredentialsAsync();
        upstreams.Sts.AssumeRoleCount.Should().Be(2);
    }

    [Fact]
    public async Task Short_sessions_are_warned_about_at_start_up()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["SESSION_DURATION_SECONDS"] = "900" });
        using var response = await app.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);

        app.Logs.Events.Should().Contain(e => e.GetProperty("Level").GetString() == "Warning"
            && e.GetProperty("Message").GetString()!.Contains("SESSION_DURATION_SECONDS is 900", StringComparison.Ordinal));
    }

    private static async Task VendTimesAsync(TvmApp app, string token, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await app.VendAsync(token);
            await response.ShouldBeCredentialsAsync();
        }
    }
}
