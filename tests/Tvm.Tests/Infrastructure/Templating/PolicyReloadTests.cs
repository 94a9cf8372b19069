namespace Tvm.Tests.Infrastructure.Templating;

/// <summary>
/// POLICY_TEMPLATE_PATH changed under a running TVM the way the kubelet changes a ConfigMap volume: a symlink swap.
/// </summary>
public sealed class PolicyReloadTests(Upstreams upstreams) : IDisposable
{
    private readonly KubeletSecretVolume _volume = new();

    public void Dispose() => _volume.Dispose();

    private static Dictionary<string, string> Template(string marker) => new()
    {
        ["policy.json"] = $$$"""{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{{marker}}}/{{ namespace }}/*"}]}""",
    };

    private static async Task<string> HealthAsync(TvmApp app)
    {
        using var response = await app.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("status").GetString()!;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        return false;
    }

    [Fact]
    public async Task A_changed_template_is_used_within_seconds_and_a_broken_one_keeps_the_last_good_serving_degraded()
    {
        _volume.Publish(Template("first"));
        // The token's review stays cached throughout, so the new template must reach an identity TVM already knows.
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?>
        {
            ["POLICY_TEMPLATE_PATH"] = _volume.PathOf("policy.json"),
            ["TOKEN_REVIEW_CACHE_SECONDS"] = "600",
        });
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");
        using (var first = await app.VendAsync(token))
        {
            await first.ShouldBeCredentialsAsync();
        }

        upstreams.Sts.Calls[^1].Policy.Should().Contain("arn:aws:s3:::first/api/*");

        _volume.Publish(Template("second"));
        var changed = await EventuallyAsync(async () =>
        {
            using var response = await app.VendAsync(token);
            await response.ShouldBeCredentialsAsync();
            return upstreams.Sts.Calls[^1].Policy!.Contains("arn:aws:s3:::second/api/*", StringComparison.Ordinal);
        });
        changed.Should().BeTrue("the new template is used within seconds, and its policy is a new credential cache key");
        upstreams.Sts.AssumeRoleCount.Should().Be(2, "credentials minted under the old policy are not handed out under the new one");
        upstreams.Kubernetes.TokenReviewCount.Should().Be(1, "the identity was reviewed once, before the template changed");
        (await HealthAsync(app)).Should().Be("Healthy");

        _volume.Publish(new Dictionary<string, string> { ["policy.json"] = """{"Resource": "{% if namespace %}"}""" });
        (await EventuallyAsync(async () => await HealthAsync(app) == "Degraded")).Should().BeTrue("a refused template shows as Degraded, still 200");
        app.Logs.Lines.Should().Contain(line => line.Contains("Policy template change refused", StringComparison.Ordinal) && line.Contains("\"Level\":\"Error\"", StringComparison.Ordinal));
        using (var meanwhile = await app.VendAsync(upstreams.Kubernetes.MintProjectedToken("api", "other")))
        {
            await meanwhile.ShouldBeCredentialsAsync();
        }

        upstreams.Sts.Calls[^1].Policy.Should().Contain("arn:aws:s3:::second/api/*", "the last good template keeps serving");

        _volume.Publish(Template("third"));
        (await EventuallyAsync(async () => await HealthAsync(app) == "Healthy")).Should().BeTrue("a good template clears the degraded state");
    }
}
