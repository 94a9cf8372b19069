using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;

namespace Tvm.Tests.Features.ContainerCredentials;

/// <summary>GET /v1/credentials through the real clients: the container-credentials format on the shared pipeline and error table.</summary>
public sealed class ContainerCredentialsTests(Upstreams upstreams) : IAsyncLifetime
{
    private readonly TvmApp _app = new(upstreams);

    private KubernetesApiEmulator Kubernetes => upstreams.Kubernetes;
    private StsEmulator Sts => upstreams.Sts;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    public async Task The_bare_token_as_the_sdks_send_it_or_a_bearer_token_gets_container_credentials(string prefix)
    {
        var token = Kubernetes.MintProjectedToken("api", "web", podName: "web-1");

        using var response = await _app.ContainerCredentialsAsync(prefix + token);

        var body = await response.ShouldBeCredentialsAsync();
        var issued = Sts.Calls.Should().ContainSingle().Subject.Issued!;
        body.EnumerateObject().Select(p => p.Name).Should().Equal("AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId");
        body.GetProperty("AccessKeyId").GetString().Should().Be(issued.AccessKeyId);
        body.GetProperty("SecretAccessKey").GetString().Should().Be(issued.SecretAccessKey);
        body.GetProperty("Token").GetString().Should().Be(issued.SessionToken);
        body.GetProperty("Expiration").GetString().Should()
            .Be(issued.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        body.GetProperty("AccountId").GetString().Should().Be(Sts.AccountId);
        Sts.Calls[0].RoleSessionName.Should().Be("api.web");
    }

    [Fact]
    public async Task Both_endpoints_share_one_pipeline_and_its_caches()
    {
        var token = Kubernetes.MintProjectedToken("api", "web");

        using var container = await _app.ContainerCredentialsAsync(token);
        using var vend = await _app.VendAsync(token);

        var fromContainer = await container.ShouldBeCredentialsAsync();
        var fromVend = await vend.ShouldBeCredentialsAsync();
        fromVend.GetProperty("AWS_ACCESS_KEY_ID").GetString().Should().Be(fromContainer.GetProperty("AccessKeyId").GetString());
        Sts.AssumeRoleCount.Should().Be(1);
        Kubernetes.TokenReviewCount.Should().Be(1);
    }

    [Fact]
    public async Task Each_request_logs_one_outcome_line_naming_the_endpoint()
    {
        using var response = await _app.ContainerCredentialsAsync(Kubernetes.MintProjectedToken("api", "web"));
        await response.ShouldBeCredentialsAsync();

        var outcome = _app.Logs.Lines.Should().ContainSingle(line => line.Contains("\"Outcome\":", StringComparison.Ordinal)).Subject;
        var line = JsonDocument.Parse(outcome).RootElement;
        line.GetProperty("Endpoint").GetString().Should().Be("/v1/credentials");
        line.GetProperty("Namespace").GetString().Should().Be("api");
        line.GetProperty("ServiceAccount").GetString().Should().Be("web");
        line.GetProperty("StatusCode").GetInt32().Should().Be(200);
    }

    public static TheoryData<string, string?> MalformedAuthorization => new()
    {
        { "no header", null },
        { "empty", "" },
        { "blank", "   " },
        { "scheme only", "Bearer" },
        { "blank bearer token", "Bearer    " },
        { "another scheme", "Basic dXNlcjpwYXNz" },
        { "over 16 KiB", new string('a', 16 * 1024 + 1) },
    };

    [Theory]
    [MemberData(nameof(MalformedAuthorization))]
    public async Task Malformed_authorization_is_401_with_a_bearer_challenge(string because, string? header)
    {
        using var response = await _app.ContainerCredentialsAsync(header);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer", because);
        Kubernetes.TokenReviewCount.Should().Be(0, "a malformed header never reaches the Kubernetes API");
    }

    [Fact]
    public async Task A_token_the_api_server_rejects_is_401_invalid_token()
    {
        using var response = await _app.ContainerCredentialsAsync("not-a-jwt");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");
        Sts.AssumeRoleCount.Should().Be(0);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_401_invalid_token()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["TOKEN_AUDIENCES"] = "tvm" });

        using var other = await app.ContainerCredentialsAsync(Kubernetes.MintProjectedToken("api", "web", audiences: ["vault"]));
        using var matching = await app.ContainerCredentialsAsync(Kubernetes.MintProjectedToken("api", "web", audiences: ["tvm"]));

        await other.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        other.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");
        await matching.ShouldBeCredentialsAsync();
    }

    [Fact]
    public async Task A_user_that_is_not_a_service_account_is_403()
    {
        using var response = await _app.ContainerCredentialsAsync(Kubernetes.MintUserToken("alice"));

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(KubernetesFault.ForbidCaller, HttpStatusCode.BadGateway)]
    [InlineData(KubernetesFault.ServerError, HttpStatusCode.ServiceUnavailable)]
    public async Task Kubernetes_faults_follow_the_error_table(KubernetesFault fault, HttpStatusCode status)
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?> { ["UPSTREAM_TIMEOUT_SECONDS"] = "1" });
        Kubernetes.Fault = fault;

        using var response = await app.ContainerCredentialsAsync(Kubernetes.MintProjectedToken("api", "web"));

        await response.ShouldBeProblemAsync(status);
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            response.Headers.RetryAfter.Should().NotBeNull();
        }
    }

    [Theory]
    [InlineData(StsFault.Throttle, HttpStatusCode.ServiceUnavailable, "Throttling")]
    [InlineData(StsFault.AccessDenied, HttpStatusCode.BadGateway, "AccessDenied")]
    [InlineData(StsFault.ServerError, HttpStatusCode.ServiceUnavailable, "STS")]
    public async Task Sts_faults_follow_the_error_table(StsFault fault, HttpStatusCode status, string detail)
    {
        Sts.Fault = fault;

        using var response = await _app.ContainerCredentialsAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(status)).Detail().Should().Contain(detail);
    }

    [Fact]
    public async Task A_template_that_fails_to_render_is_500()
    {
        await using var app = new TvmApp(upstreams, new Dictionary<string, string?>
        {
            ["POLICY_TEMPLATE_PATH"] = TemplateFiles.Write("""{"Version": "2012-10-17", "Statement": [{{ namespace }}]}"""),
        });

        using var response = await app.ContainerCredentialsAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError)).Detail().Should().Contain("policy");
    }

    [Fact]
    public async Task Only_get_is_answered()
    {
        using var response = await _app.CreateClient().PostAsync(new Uri("/v1/credentials", UriKind.Relative), null, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }
}
