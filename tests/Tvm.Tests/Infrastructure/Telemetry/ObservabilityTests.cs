using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;
using Tvm.Infrastructure.Telemetry;

namespace Tvm.Tests.Infrastructure.Telemetry;

/// <summary>Request ids, the outcome log line, traces, and that no secret ever reaches a log line.</summary>
public sealed class ObservabilityTests : IAsyncLifetime
{
    private readonly Upstreams _upstreams;
    private readonly TvmApp _app;

    public ObservabilityTests(Upstreams upstreams)
    {
        _upstreams = upstreams;
        _app = new TvmApp(upstreams);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_safe_incoming_request_id_is_echoed_and_logged()
    {
        using var response = await _app.VendAsync(_upstreams.Kubernetes.MintProjectedToken("api", "web"), requestId: "req-123:abc");

        response.Headers.GetValues("X-Request-ID").Should().Equal("req-123:abc");
        var outcome = _app.Logs.VendOutcomes.Should().ContainSingle().Subject;
        outcome.GetProperty("RequestId").GetString().Should().Be("req-123:abc");
    }

    [Theory]
    [InlineData("has spaces in it")]
    [InlineData("quote\"injection")]
    [InlineData("")]
    public async Task An_unsafe_request_id_is_replaced_by_a_generated_one(string incoming)
    {
        using var response = await _app.VendAsync(null, requestId: incoming);

        var echoed = response.Headers.GetValues("X-Request-ID").Single();
        echoed.Should().NotBe(incoming).And.MatchRegex("^[0-9a-f]{32}$");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.GetProperty("requestId").GetString().Should().Be(echoed);
    }

    [Fact]
    public async Task Too_long_request_id_is_replaced()
    {
        using var response = await _app.VendAsync(null, requestId: new string('a', 129));
        response.Headers.GetValues("X-Request-ID").Single().Should().HaveLength(32);
    }

    [Fact]
    public async Task Each_vend_logs_one_outcome_line_with_identity_status_and_time()
    {
        using var ok = await _app.VendAsync(_upstreams.Kubernetes.MintProjectedToken("api", "web"), requestId: "ok-1");
        _upstreams.Sts.Fault = StsFault.AccessDenied;
        using var denied = await _app.VendAsync(_upstreams.Kubernetes.MintProjectedToken("team-a", "worker"), requestId: "denied-1");
        using var anonymous = await _app.VendAsync(null, requestId: "anon-1");

        var outcomes = _app.Logs.VendOutcomes;
        outcomes.Should().HaveCount(3);
        var first = outcomes[0];
        first.GetProperty("Level").GetString().Should().Be("Information");
        first.GetProperty("Message").GetString().Should().Be($"Vend for api/web via /vend: 200 Issued in {first.GetProperty("ElapsedMs").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)} ms");
        first.GetProperty("Namespace").GetString().Should().Be("api");
        first.GetProperty("ServiceAccount").GetString().Should().Be("web");
        first.GetProperty("StatusCode").GetInt32().Should().Be(200);
        first.GetProperty("ElapsedMs").GetDouble().Should().BePositive();
        first.GetProperty("RequestId").GetString().Should().Be("ok-1");
        first.GetProperty("TraceId").GetString().Should().MatchRegex("^[0-9a-f]{32}$");
        first.GetProperty("SpanId").GetString().Should().MatchRegex("^[0-9a-f]{16}$");
        DateTimeOffset.Parse(first.GetProperty("Timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Offset.Should().Be(TimeSpan.Zero);

        outcomes[1].GetProperty("Namespace").GetString().Should().Be("team-a");
        outcomes[1].GetProperty("StatusCode").GetInt32().Should().Be(502);
        outcomes[1].GetProperty("Outcome").GetString().Should().Be("StsRefused");
        outcomes[1].GetProperty("Level").GetString().Should().Be("Error");

        outcomes[2].GetProperty("Namespace").GetString().Should().BeEmpty();
        outcomes[2].GetProperty("StatusCode").GetInt32().Should().Be(401);
        outcomes[2].GetProperty("RequestId").GetString().Should().Be("anon-1");
    }

    [Theory]
    [InlineData("DEBUG")]
    [InlineData("Verbose")]
    public async Task No_log_line_at_any_level_holds_a_token_or_secret(string level)
    {
        await using var app = new TvmApp(_upstreams, new Dictionary<string, string?> { ["LOG_LEVEL"] = level });
        var kubernetes = _upstreams.Kubernetes;
        var secrets = new List<string> { _upstreams.Sts.SecretAccessKey, kubernetes.CallerToken };
        var tokens = new List<string>
        {
            kubernetes.MintProjectedToken("api", "web"),
            kubernetes.MintLegacyToken("production", "billing"),
            kubernetes.MintForeignToken("api", "web"),
            kubernetes.MintUserToken("alice"),
            kubernetes.MintProjectedToken("api", "web", lifetime: TimeSpan.FromMinutes(-1)),
        };

        foreach (var token in tokens)
        {
            using var response = await app.VendAsync(token);
            if (response.IsSuccessStatusCode)
            {
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
                secrets.Add(body.GetProperty("AWS_SECRET_ACCESS_KEY").GetString()!);
                secrets.Add(body.GetProperty("AWS_SESSION_TOKEN").GetString()!);
            }

            // The container-credentials endpoint takes the bare token, as the AWS SDKs send it.
            using var container = await app.ContainerCredentialsAsync(token);
            if (container.IsSuccessStatusCode)
            {
                var body = JsonDocument.Parse(await container.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
                secrets.Add(body.GetProperty("SecretAccessKey").GetString()!);
                secrets.Add(body.GetProperty("Token").GetString()!);
            }
        }

        var containerToken = kubernetes.MintProjectedToken("api", "container-only");
        tokens.Add(containerToken);
        using (var container = await app.ContainerCredentialsAsync(containerToken))
        {
            var body = await container.ShouldBeCredentialsAsync();
            secrets.Add(body.GetProperty("SecretAccessKey").GetString()!);
            secrets.Add(body.GetProperty("Token").GetString()!);
        }

        var faults = new[] { (KubernetesFault.ForbidCaller, StsFault.None), (KubernetesFault.ServerError, StsFault.None), (KubernetesFault.None, StsFault.AccessDenied), (KubernetesFault.None, StsFault.Throttle) };
        foreach (var (fault, stsFault) in faults)
        {
            kubernetes.Fault = fault;
            _upstreams.Sts.Fault = stsFault;

            // A service account of its own for each, so no cached credential answers instead of the fault.
            var token = kubernetes.MintProjectedToken("api", $"faulty-{fault}-{stsFault}".ToLowerInvariant());
            tokens.Add(token);
            using var response = await app.VendAsync(token);
            response.IsSuccessStatusCode.Should().BeFalse();
            using var container = await app.ContainerCredentialsAsync(token);
            container.IsSuccessStatusCode.Should().BeFalse();
        }

        using (var malformed = await app.CreateClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/vend") { Headers = { { "Authorization", "Basic " + tokens[0] } } },
            TestContext.Current.CancellationToken))
        {
            malformed.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        secrets.Should().HaveCountGreaterThanOrEqualTo(6, "two successful vends returned secrets to look for");
        var lines = app.Logs.Lines;
        lines.Should().HaveCountGreaterThan(10);
        foreach (var secret in tokens.Concat(secrets))
        {
            lines.Should().NotContain(line => line.Contains(secret, StringComparison.Ordinal));

            // A JWT's signature alone is as good as the token for matching purposes.
            var signature = secret.Split('.')[^1];
            lines.Should().NotContain(line => line.Contains(signature, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Traces_have_a_server_span_with_child_spans_for_each_upstream_call()
    {
        using var response = await _app.VendAsync(_upstreams.Kubernetes.MintProjectedToken("api", "web"), requestId: "trace-me");
        await response.ShouldBeCredentialsAsync();

        var spans = await EventuallyAsync(() => _app.Spans.ToList(), list => list.Any(s => s.Kind == ActivityKind.Server && s.ParentSpanId == default));
        // The emulators run in this process too; TVM's server span is the root one.
        var server = spans.Single(s => s.Kind == ActivityKind.Server && s.ParentSpanId == default);
        server.GetTagItem(TvmTelemetry.RequestIdTag).Should().Be("trace-me");
        server.GetTagItem(TvmTelemetry.NamespaceTag).Should().Be("api");
        server.GetTagItem(TvmTelemetry.ServiceAccountTag).Should().Be("web");

        var review = spans.Single(s => s.OperationName == "TokenReview");
        var assume = spans.Single(s => s.OperationName == "AssumeRole");
        review.ParentSpanId.Should().Be(server.SpanId);
        assume.ParentSpanId.Should().Be(server.SpanId);
        review.GetTagItem(TvmTelemetry.NamespaceTag).Should().Be("api");
        assume.GetTagItem(TvmTelemetry.RoleSessionNameTag).Should().Be("api.web");

        spans.Should().Contain(s => s.Kind == ActivityKind.Client && s.ParentSpanId == review.SpanId, "the HTTP call to the Kubernetes API is traced");
        spans.Should().Contain(s => s.Kind == ActivityKind.Client && s.ParentSpanId == assume.SpanId, "the HTTP call to STS is traced");
    }

    [Fact]
    public async Task Every_outcome_line_carries_every_field_of_the_contract_and_nothing_else()
    {
        using var issued = await _app.VendAsync(_upstreams.Kubernetes.MintProjectedToken("api", "web"));
        using var refused = await _app.VendAsync("not-a-token");
        using var container = await _app.ContainerCredentialsAsync(_upstreams.Kubernetes.MintProjectedToken("api", "web"));

        var outcomes = _app.Logs.VendOutcomes;
        outcomes.Should().HaveCount(3);
        foreach (var outcome in outcomes)
        {
            outcome.EnumerateObject().Select(property => property.Name).Should().BeEquivalentTo(LogCapture.OutcomeLineFields);
            outcome.GetProperty("RequestId").GetString().Should().MatchRegex("^[0-9a-f]{32}$");
            outcome.GetProperty("Message").GetString().Should().StartWith("Vend for ");
        }

        outcomes.Select(outcome => outcome.GetProperty("Outcome").GetString()).Should().Equal("Issued", "InvalidToken", "Issued");
        outcomes.Select(outcome => outcome.GetProperty("Endpoint").GetString()).Should().Equal("/vend", "/vend", "/v1/credentials");
        outcomes.Select(outcome => outcome.GetProperty("RequestId").GetString())
            .Should().Equal(new[] { issued, refused, container }.Select(response => response.Headers.GetValues("X-Request-ID").Single()));
    }

    [Fact]
    public async Task Generated_request_ids_stay_unique_under_concurrency_and_match_their_lines()
    {
        var token = _upstreams.Kubernetes.MintProjectedToken("api", "web");
        const int Callers = 32, RequestsEach = 25;

        var echoed = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            var ids = new List<string>();
            for (var i = 0; i < RequestsEach; i++)
            {
                using var response = await _app.VendAsync(token);
                response.StatusCode.Should().Be(HttpStatusCode.OK);
                ids.Add(response.Headers.GetValues("X-Request-ID").Single());
            }

            return ids;
        })));

        var ids = echoed.SelectMany(batch => batch).ToArray();
        ids.Should().HaveCount(Callers * RequestsEach).And.OnlyHaveUniqueItems().And.AllSatisfy(id => id.Should().MatchRegex("^[0-9a-f]{32}$"));
        _app.Logs.VendOutcomes.Select(outcome => outcome.GetProperty("RequestId").GetString()).Should().BeEquivalentTo(ids);
    }

    [Fact]
    public void Request_ids_drawn_from_many_threads_at_once_never_repeat()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 200_000, _ => ids.Add(Tvm.Infrastructure.Logging.RequestIdMiddleware.NextRequestId()));

        ids.Should().HaveCount(200_000);
        ids.Distinct(StringComparer.Ordinal).Should().HaveCount(200_000);
        ids.Select(id => id[..16]).Distinct(StringComparer.Ordinal).Should().ContainSingle("one random prefix per process");
    }

    private static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return read();
    }
}
