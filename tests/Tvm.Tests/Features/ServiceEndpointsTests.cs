namespace Tvm.Tests.Features;

public sealed class ServiceEndpointsTests(Upstreams upstreams) : IAsyncLifetime
{
    private readonly TvmApp _app = new(upstreams);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Healthz_is_healthy_without_calling_upstreams()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Be("""{"status":"Healthy"}""");
        upstreams.Kubernetes.TokenReviewCount.Should().Be(0);
        upstreams.Sts.AssumeRoleCount.Should().Be(0);
    }

    [Fact]
    public async Task Readyz_is_ready_while_running()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Be("""{"status":"Healthy"}""");
    }

    [Fact]
    public async Task OpenApi_document_describes_vend()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        var vend = document.GetProperty("paths").GetProperty("/vend").GetProperty("post");
        var responses = vend.GetProperty("responses");
        foreach (var status in new[] { "200", "401", "403", "500", "502", "503" })
        {
            responses.TryGetProperty(status, out _).Should().BeTrue(status);
        }

        responses.GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _).Should().BeTrue();
        vend.TryGetProperty("requestBody", out _).Should().BeFalse("the token travels in the Authorization header, not the body");
        vend.GetProperty("security")[0].TryGetProperty("ServiceAccountToken", out _).Should().BeTrue();
        document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ServiceAccountToken").GetProperty("scheme").GetString().Should().Be("bearer");
        var credentials = document.GetProperty("components").GetProperty("schemas").GetProperty("VendCredentialsResponse").GetProperty("properties");
        credentials.EnumerateObject().Select(p => p.Name).Should()
            .BeEquivalentTo("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION");
    }

    [Fact]
    public async Task Docs_page_is_served_by_the_app()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri("/docs", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("openapi/v1.json");
    }

    [Fact]
    public async Task Unknown_paths_are_problem_json_404()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri("/nope", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Vend_only_answers_post()
    {
        using var response = await _app.CreateClient().GetAsync(new Uri("/vend", UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }
}
