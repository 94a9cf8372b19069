using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Templating;

namespace Tvm.Tests.Features.VendCredentials;

/// <summary>/vend end to end: the real KubernetesClient and AWS SDK against the emulators.</summary>
public sealed class VendCredentialsTests : IAsyncLifetime
{
    private readonly Upstreams _upstreams;
    private readonly TvmApp _app;

    public VendCredentialsTests(Upstreams upstreams)
    {
        _upstreams = upstreams;
        _app = new TvmApp(upstreams);
    }

    private static readonly JsonSerializerOptions UnescapedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private KubernetesApiEmulator Kubernetes => _upstreams.Kubernetes;
    private StsEmulator Sts => _upstreams.Sts;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Projected_token_gets_credentials_scoped_by_the_rendered_policy()
    {
        var token = Kubernetes.MintProjectedToken("api", "web", podName: "web-1", nodeName: "node-a");

        using var response = await _app.VendAsync(token);

        var body = await response.ShouldBeCredentialsAsync();
        var call = Sts.Calls.Should().ContainSingle().Subject;
        var issued = call.Issued!;
        body.GetProperty("AWS_ACCESS_KEY_ID").GetString().Should().Be(issued.AccessKeyId);
        body.GetProperty("AWS_SECRET_ACCESS_KEY").GetString().Should().Be(issued.SecretAccessKey);
        body.GetProperty("AWS_SESSION_TOKEN").GetString().Should().Be(issued.SessionToken);
        body.GetProperty("AWS_CREDENTIAL_EXPIRATION").GetString().Should()
            .Be(issued.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

        call.RoleArn.Should().Be(Sts.RoleArn);
        call.RoleSessionName.Should().Be("api.web");
        call.DurationSeconds.Should().Be(3600);
        var expected = PolicyTemplate.Load(TvmApp.ShippedTemplatePath).Render(new WorkloadIdentity("api", "web")).Json;
        call.Policy.Should().Be(expected).And.Contain("tvm-workloads/api/*");
        Kubernetes.TokenReviewCount.Should().Be(1);
    }

    [Fact]
    public async Task A_cached_credential_goes_out_as_the_same_json_bytes_with_a_content_length()
    {
        var token = Kubernetes.MintProjectedToken("api", "web");

        using var first = await _app.VendAsync(token);
        using var second = await _app.VendAsync(token);
        using var container = await _app.ContainerCredentialsAsync(token);

        var firstBytes = await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var secondBytes = await second.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Sts.Calls.Should().ContainSingle("the second vend is a cache hit");
        secondBytes.Should().Equal(firstBytes);
        first.Content.Headers.ContentLength.Should().Be(firstBytes.Length);
        first.Content.Headers.ContentType!.ToString().Should().Be("application/json; charset=utf-8");
        first.Headers.CacheControl!.NoStore.Should().BeTrue();

        var issued = Sts.Calls.Single().Issued!;
        var expected = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = issued.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = issued.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = issued.SessionToken,
            ["AWS_CREDENTIAL_EXPIRATION"] = JsonDocument.Parse(firstBytes).RootElement.GetProperty("AWS_CREDENTIAL_EXPIRATION").GetString()!,
        }, UnescapedJson);
        System.Text.Encoding.UTF8.GetString(firstBytes).Should().Be(expected, "the body is compact JSON with secrets unescaped ('+' stays '+')");

        var containerBody = await container.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        container.Content.Headers.ContentLength.Should().Be(System.Text.Encoding.UTF8.GetByteCount(containerBody));
        JsonDocument.Parse(containerBody).RootElement.GetProperty("AccessKeyId").GetString().Should().Be(issued.AccessKeyId);
    }

    [Fact]
    public async Task Every_template_variable_reaches_sts_as_rendered()
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?>
        {
            ["POLICY_TEMPLATE_PATH"] = TemplateFiles.Write(TemplateFiles.EveryVariable),
            ["SESSION_DURATION_SECONDS"] = "1800",
        });
        var token = Kubernetes.MintProjectedToken("team-a", "worker", podName: "worker-5", nodeName: "node-b");

        using var response = await app.VendAsync(token);

        await response.ShouldBeCredentialsAsync();
        var podUid = Kubernetes.PodUid("team-a", "worker-5");
        var serviceAccountUid = Kubernetes.ServiceAccountUid("team-a", "worker");
        var call = Sts.Calls.Should().ContainSingle().Subject;
        call.Policy.Should().Be(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"," +
            $"\"Resource\":\"arn:aws:s3:::bucket/team-a/worker/worker-5/{podUid}/node-b/{serviceAccountUid}\"}}]}}");
        call.DurationSeconds.Should().Be(1800);
    }

    [Fact]
    public async Task Legacy_secret_token_gets_credentials_with_empty_pod_variables()
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?>
        {
            ["POLICY_TEMPLATE_PATH"] = TemplateFiles.Write(TemplateFiles.EveryVariable),
        });
        var token = Kubernetes.MintLegacyToken("production", "billing");

        using var response = await app.VendAsync(token);

        await response.ShouldBeCredentialsAsync();
        var serviceAccountUid = Kubernetes.ServiceAccountUid("production", "billing");
        Sts.Calls.Should().ContainSingle().Which.Policy.Should().Contain($"bucket/production/billing////{serviceAccountUid}");
    }

    [Fact]
    public async Task Audience_bound_tokens_must_carry_a_configured_audience()
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["TOKEN_AUDIENCES"] = "tvm,sts.example" });

        using var matching = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web", audiences: ["tvm"]));
        await matching.ShouldBeCredentialsAsync();
        Kubernetes.Received[^1].Audiences.Should().Equal("tvm", "sts.example");

        using var otherAudience = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web", audiences: ["vault"]));
        await otherAudience.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        otherAudience.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");

        // Legacy tokens carry no audience; like the API server, audience binding refuses them.
        using var legacy = await app.VendAsync(Kubernetes.MintLegacyToken("api", "web"));
        await legacy.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        Sts.AssumeRoleCount.Should().Be(1);
    }

    [Fact]
    public async Task Without_configured_audiences_the_api_servers_own_audience_applies()
    {
        using var apiAudience = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));
        await apiAudience.ShouldBeCredentialsAsync();
        Kubernetes.Received[^1].Audiences.Should().BeEmpty();

        using var foreignAudience = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web", audiences: ["tvm"]));
        await foreignAudience.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    public static TheoryData<string, string?> MalformedAuthorization => new()
    {
        { "no header", null },
        { "empty", "" },
        { "basic scheme", "Basic dXNlcjpwYXNz" },
        { "scheme only", "Bearer" },
        { "blank token", "Bearer    " },
        { "over 16 KiB", "Bearer " + new string('a', 16 * 1024 + 1) },
    };

    [Theory]
    [MemberData(nameof(MalformedAuthorization))]
    public async Task Malformed_authorization_is_401_with_a_bearer_challenge(string because, string? header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/vend");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        using var response = await _app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer", because);
        Kubernetes.TokenReviewCount.Should().Be(0, "a malformed header never reaches the Kubernetes API");
    }

    public static TheoryData<string> UnauthenticatedTokens => ["foreign", "expired", "revoked", "garbage", "deleted service account"];

    [Theory]
    [MemberData(nameof(UnauthenticatedTokens))]
    public async Task Tokens_the_api_server_rejects_are_401_invalid_token(string kind)
    {
        var token = kind switch
        {
            "foreign" => Kubernetes.MintForeignToken("api", "web"),
            "expired" => Kubernetes.MintProjectedToken("api", "web", lifetime: TimeSpan.FromMinutes(-5)),
            "garbage" => "not-a-jwt",
            _ => Kubernetes.MintProjectedToken("api", "gone-" + kind.Length),
        };
        if (kind == "revoked")
        {
            Kubernetes.Revoke(token);
        }
        else if (kind == "deleted service account")
        {
            Kubernetes.DeleteServiceAccount("api", "gone-" + kind.Length);
        }

        using var response = await _app.VendAsync(token);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");
        problem.Detail().Should().NotContain(token);
        Sts.AssumeRoleCount.Should().Be(0);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("system:node:node-1")]
    [InlineData("system:serviceaccount:Bad_Namespace:web")]
    public async Task Authenticated_users_that_are_not_service_accounts_are_403(string username)
    {
        using var response = await _app.VendAsync(Kubernetes.MintUserToken(username));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.Detail().Should().Contain(username);
        Sts.AssumeRoleCount.Should().Be(0);
    }

    public static TheoryData<string, string> BrokenTemplates => new()
    {
        { "renders invalid JSON", """{"Version": "2012-10-17", "Statement": [{{ namespace }}]}""" },
        { "renders too large", "{\"Pad\": \"{% for i in range(1, 501) %}{{ namespace }}-{{ i }}{% endfor %}\"}" },
        { "fails at render time", """{"Value": "{{ namespace.missing.attribute }}"}""" },
        { "loops without end", """{"Value": "{% for i in range(1, 100001) %}x{% endfor %}"}""" },
    };

    [Theory]
    [MemberData(nameof(BrokenTemplates))]
    public async Task Template_failures_are_500_with_a_reason(string because, string template)
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["POLICY_TEMPLATE_PATH"] = TemplateFiles.Write(template) });

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        problem.Detail().Should().Contain("policy", because);
        Sts.AssumeRoleCount.Should().Be(0);
    }

    [Theory]
    [InlineData(KubernetesFault.RefuseCaller, 401)]
    [InlineData(KubernetesFault.ForbidCaller, 403)]
    public async Task Kubernetes_refusing_tvm_itself_is_502(KubernetesFault fault, int upstreamStatus)
    {
        Kubernetes.Fault = fault;

        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway);
        problem.Detail().Should().Contain(upstreamStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("RBAC");
        Kubernetes.TokenReviewCount.Should().Be(1, "TVM's own RBAC or credentials do not heal by asking again");
    }

    [Theory]
    [InlineData(KubernetesFault.ServerError)]
    [InlineData(KubernetesFault.Throttle)]
    [InlineData(KubernetesFault.Hang)]
    public async Task A_transient_Kubernetes_fault_is_retried(KubernetesFault fault)
    {
        // 2 s per attempt: a hang costs the first attempt that long, and the retry after a 429's one-second
        // Retry-After still has seconds to spare before the deadline of two attempts' time, on a busy machine too.
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["UPSTREAM_TIMEOUT_SECONDS"] = "2" });
        var token = Kubernetes.MintProjectedToken("api", "web");
        Kubernetes.FailNext(fault, count: 1);

        using var response = await app.VendAsync(token);

        await response.ShouldBeCredentialsAsync();
        Kubernetes.TokenReviewCount.Should().Be(2);
        Kubernetes.Received.Select(review => review.TokenSha256).Should().Equal(
            [KubernetesApiEmulator.Sha256Hex(token), KubernetesApiEmulator.Sha256Hex(token)],
            "both reviews, the faulted one and its retry, must be this request's (a review left over from another test would take the fault)");
        app.Logs.Lines.Should().ContainSingle(line => line.Contains("TokenReview attempt 1 failed", StringComparison.Ordinal))
            .Which.Should().Contain("\"Level\":\"Warning\"").And.Contain("\"RequestId\":");
    }

    [Fact]
    public async Task An_unauthenticated_token_is_not_retried()
    {
        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web", lifetime: TimeSpan.FromMinutes(-5)));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        Kubernetes.TokenReviewCount.Should().Be(1);
    }

    [Theory]
    [InlineData(KubernetesFault.ServerError)]
    [InlineData(KubernetesFault.Hang)]
    public async Task Kubernetes_failing_or_hanging_is_503_with_retry_after(KubernetesFault fault)
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["UPSTREAM_TIMEOUT_SECONDS"] = "1" });
        Kubernetes.Fault = fault;
        var started = Stopwatch.StartNew();

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a hung dependency never hangs the caller");
        Kubernetes.TokenReviewCount.Should().Be(fault == KubernetesFault.Hang ? 2 : 3, "a failed attempt is retried twice, as long as the deadline of two attempts' time allows");
    }

    [Fact]
    public async Task Kubernetes_unreachable_is_503()
    {
        var kubeconfig = await File.ReadAllTextAsync(Kubernetes.KubeconfigPath, TestContext.Current.CancellationToken);
        var closedPort = ClosedPort();
        var unreachable = TemplateFiles.Write(kubeconfig.Replace(Kubernetes.Server.ToString().TrimEnd('/'), $"https://127.0.0.1:{closedPort}", StringComparison.Ordinal));
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["KUBECONFIG"] = unreachable });

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task Sts_throttling_is_503_with_retry_after()
    {
        Sts.Fault = StsFault.Throttle;

        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
        problem.Detail().Should().Contain("Throttling");
        Sts.AssumeRoleCount.Should().BeGreaterThan(1, "the SDK's standard retry mode retries throttling");
    }

    [Fact]
    public async Task Sts_access_denied_is_502_naming_the_code()
    {
        Sts.Fault = StsFault.AccessDenied;

        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway)).Detail().Should().Contain("AccessDenied");
    }

    [Fact]
    public async Task Sts_refusing_the_role_is_502_naming_the_code()
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/someone-else" });

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway)).Detail().Should().Contain("AccessDenied");
    }

    [Theory]
    [InlineData("""{"Statement": "not a policy"}""", "MalformedPolicyDocument")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{% for i in range(1, 171) %}bucket-{{ i }}-{% endfor %}"}]}""", "PackedPolicyTooLarge")]
    public async Task Sts_rejecting_the_policy_is_502_naming_the_code(string template, string code)
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["POLICY_TEMPLATE_PATH"] = TemplateFiles.Write(template) });

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway)).Detail().Should().Contain(code);
    }

    [Fact]
    public async Task Sts_validation_errors_are_502_naming_the_code()
    {
        await using var sts = await StsEmulator.StartAsync(new StsEmulatorOptions
        {
            Region = Upstreams.Region,
            AccessKeyId = Sts.AccessKeyId,
            SecretAccessKey = Sts.SecretAccessKey,
            MaxSessionDurationSeconds = 3600,
        }, TestContext.Current.CancellationToken);
        using var endpoint = new EnvironmentScope("AWS_ENDPOINT_URL_STS", sts.Endpoint.ToString());
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["SESSION_DURATION_SECONDS"] = "7200" });

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadGateway)).Detail().Should().Contain("ValidationError");
    }

    [Theory]
    [InlineData(StsFault.ServerError)]
    [InlineData(StsFault.Hang)]
    public async Task Sts_failing_or_hanging_is_503(StsFault fault)
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["UPSTREAM_TIMEOUT_SECONDS"] = "1" });
        Sts.Fault = fault;
        var started = Stopwatch.StartNew();

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a hung dependency never hangs the caller");
    }

    [Fact]
    public async Task Sts_unreachable_is_503()
    {
        using var endpoint = new EnvironmentScope("AWS_ENDPOINT_URL_STS", $"http://127.0.0.1:{ClosedPort()}/");
        await using var app = new TvmApp(_upstreams);

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Missing_base_credentials_are_503_saying_so()
    {
        using var keyId = new EnvironmentScope("AWS_ACCESS_KEY_ID", null);
        using var secret = new EnvironmentScope("AWS_SECRET_ACCESS_KEY", null);
        using var profiles = new EnvironmentScope("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
        using var config = new EnvironmentScope("AWS_CONFIG_FILE", "/nonexistent/config");
        await using var app = new TvmApp(_upstreams);

        using var response = await app.VendAsync(Kubernetes.MintProjectedToken("api", "web"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable)).Detail().Should().Contain("AWS credentials");
        Sts.AssumeRoleCount.Should().Be(0);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("{}", "application/json")]
    [InlineData("{\"ignored\": true}", "application/json")]
    [InlineData("anything", "text/plain")]
    public async Task Empty_or_ignorable_bodies_are_fine(string body, string? contentType)
    {
        using var content = contentType is null ? null : new StringContent(body, System.Text.Encoding.UTF8, contentType);

        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"), content);

        await response.ShouldBeCredentialsAsync();
    }

    [Theory]
    [InlineData("{not json", "application/json")]
    [InlineData("[1, 2", "application/json")]
    public async Task Unreadable_json_bodies_are_refused_with_4xx(string body, string contentType)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);

        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"), content);

        ((int)response.StatusCode).Should().BeInRange(400, 499);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        Sts.AssumeRoleCount.Should().Be(0);
    }

    [Theory]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=nonsense")]
    public async Task A_body_in_a_charset_net_cannot_read_is_415(string contentType)
    {
        using var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await _app.VendAsync(Kubernetes.MintProjectedToken("api", "web"), content);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Sts.AssumeRoleCount.Should().Be(0);
        _app.Logs.Lines.Should().ContainSingle(line => line.Contains("\"Outcome\":\"InvalidRequest\"", StringComparison.Ordinal));
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
