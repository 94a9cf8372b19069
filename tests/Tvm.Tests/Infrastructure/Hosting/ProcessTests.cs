using System.Net.Http.Headers;
using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Infrastructure.Hosting;

/// <summary>TVM as a real process: start-up checks, exit codes and what it writes to stdout.</summary>
public sealed class ProcessTests(Upstreams upstreams)
{
    private static string TvmAssembly => TvmProcesses.TvmAssembly;

    private Dictionary<string, string?> ValidEnvironment() => TvmProcesses.Environment(upstreams);

    public static TheoryData<string, string?, string> InvalidConfigurations => new()
    {
        { "AWS_ROLE_ARN", null, "AWS_ROLE_ARN is required" },
        { "SESSION_DURATION_SECONDS", "10", "SESSION_DURATION_SECONDS must be between 900 and 43200" },
        { "POLICY_TEMPLATE_PATH", "broken", "POLICY_TEMPLATE_PATH: the policy template does not parse" },
        { "PORT", "99999", "PORT must be between 1 and 65535" },
        { "KUBECONFIG", "/nonexistent/kubeconfig", "KUBECONFIG: not running in a Kubernetes pod and no kubeconfig file at '/nonexistent/kubeconfig'" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigurations))]
    public async Task Invalid_configuration_stops_start_up_naming_the_cause(string variable, string? value, string expected)
    {
        var environment = ValidEnvironment();
        var brokenTemplate = TemplateFiles.Write("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{% if namespace == \"x\" %}]\n}");
        environment[variable] = value == "broken" ? brokenTemplate : value;
        await using var tvm = TvmProcess.Start(TvmAssembly, environment);

        var exitCode = await tvm.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exitCode.Should().NotBe(0);
        var problems = tvm.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("Level").GetString() == "Fatal")
            .Select(e => e.GetProperty("Problem").GetString())
            .ToList();
        problems.Should().ContainSingle().Which.Should().StartWith(expected);
        if (value == "broken")
        {
            problems[0].Should().Contain($"{brokenTemplate}(3,");
        }
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var environment = ValidEnvironment();
        environment["AWS_ROLE_ARN"] = null;
        environment["AWS_REGION"] = "nowhere";
        environment["SESSION_DURATION_SECONDS"] = "10";
        await using var tvm = TvmProcess.Start(TvmAssembly, environment);

        (await tvm.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(1);

        tvm.StdoutLines.Should().HaveCount(3).And.AllSatisfy(line => line.Should().Contain("\"Level\":\"Fatal\""));
    }

    [Fact]
    public async Task Serves_vend_and_writes_only_json_lines_to_stdout()
    {
        var environment = ValidEnvironment();
        environment["TOKEN_AUDIENCES"] = "tvm";
        await using var tvm = TvmProcess.Start(TvmAssembly, environment);
        await tvm.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = tvm.BaseAddress };
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web", audiences: ["tvm"]);

        using var request = new HttpRequestMessage(HttpMethod.Post, "vend") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.ShouldBeCredentialsAsync();
        var secret = body.GetProperty("AWS_SECRET_ACCESS_KEY").GetString()!;

        using var oversizedToken = new HttpRequestMessage(HttpMethod.Post, "vend") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", new string('a', 40 * 1024)) } };
        using var tokenTooLong = await client.SendAsync(oversizedToken, TestContext.Current.CancellationToken);
        await tokenTooLong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        tokenTooLong.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");

        using var largeBody = new HttpRequestMessage(HttpMethod.Post, "vend")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
            Content = new StringContent("{\"pad\":\"" + new string('x', 200 * 1024) + "\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        using var bodyTooLarge = await client.SendAsync(largeBody, TestContext.Current.CancellationToken);
        bodyTooLarge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);

        (await tvm.StopAsync(TimeSpan.FromSeconds(30))).Should().Be(0, "SIGTERM is a clean shutdown");
        var lines = tvm.StdoutLines;
        lines.Should().NotBeEmpty();
        foreach (var line in lines)
        {
            var parsed = () => JsonDocument.Parse(line);
            parsed.Should().NotThrow(line);
            line.Should().NotContain(token).And.NotContain(secret);
        }

        lines.Should().Contain(line => line.Contains("\"StatusCode\":200", StringComparison.Ordinal) && line.Contains("\"Namespace\":\"api\"", StringComparison.Ordinal));
        var issued = lines.Select(line => JsonDocument.Parse(line).RootElement)
            .First(line => line.TryGetProperty("Outcome", out var outcome) && outcome.GetString() == "Issued");
        issued.EnumerateObject().Select(property => property.Name).Should().BeEquivalentTo([.. LogCapture.OutcomeLineFields, "ConnectionId"]);
        tvm.StderrLines.Should().BeEmpty();
    }

    /// <summary>
    /// What the other process tests do not ask for: the API description, its browsable page, and the error answers of
    /// both credential endpoints. Against the trimmed build (CI), they show the trimmer kept what these need.
    /// </summary>
    [Fact]
    public async Task Serves_its_API_description_and_answers_bad_requests_with_problems()
    {
        await using var tvm = TvmProcess.Start(TvmAssembly, ValidEnvironment());
        await tvm.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = tvm.BaseAddress };
        var cancellationToken = TestContext.Current.CancellationToken;

        using var description = JsonDocument.Parse(await client.GetStringAsync("openapi/v1.json", cancellationToken));
        description.RootElement.GetProperty("paths").EnumerateObject().Select(path => path.Name).Should().Contain(["/vend", "/v1/credentials"]);

        using var page = await client.GetAsync("docs", cancellationToken);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");

        using var noToken = await client.PostAsync("vend", content: null, cancellationToken);
        (await noToken.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace();

        using var blankToken = new HttpRequestMessage(HttpMethod.Get, "v1/credentials") { Headers = { { "Authorization", "Bearer   " } } };
        using var blank = await client.SendAsync(blankToken, cancellationToken);
        (await blank.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("detail").GetString().Should().NotBeNullOrWhiteSpace();

        using var forged = new HttpRequestMessage(HttpMethod.Get, "v1/credentials") { Headers = { { "Authorization", "not-a-token" } } };
        using var refused = await client.SendAsync(forged, cancellationToken);
        await refused.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        (await tvm.StopAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
        tvm.StderrLines.Should().BeEmpty();
    }
}
