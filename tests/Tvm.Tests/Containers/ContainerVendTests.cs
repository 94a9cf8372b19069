using System.Globalization;

namespace Tvm.Tests.Containers;

/// <summary>
/// /vend end to end against a real Kubernetes API server (k3s) and a real STS implementation (LocalStack),
/// with tokens the cluster itself issued. Skipped where no Docker engine answers.
/// </summary>
public sealed class ContainerVendTests : IClassFixture<ContainerUpstreams>
{
    private readonly Upstreams _upstreams;
    private readonly ContainerUpstreams _cluster;

    public ContainerVendTests(Upstreams upstreams, ContainerUpstreams cluster)
    {
        _upstreams = upstreams;
        _cluster = cluster;
    }

    [Fact]
    public async Task Projected_token_with_the_configured_audience_gets_credentials()
    {
        _cluster.SkipUnlessDockerAvailable();
        var account = await _cluster.CreateServiceAccountAsync("web");
        var token = await _cluster.RequestProjectedTokenAsync(account, audience: "tvm");
        using var upstreams = _cluster.UseAsTvmUpstreams();
        await using var app = _cluster.CreateTvm(_upstreams, new Dictionary<string, string?> { ["TOKEN_AUDIENCES"] = "tvm" });

        using var response = await app.VendAsync(token);

        ShouldBeIssuedCredentials(await response.ShouldBeCredentialsAsync());
    }

    [Fact]
    public async Task Legacy_secret_token_gets_credentials()
    {
        _cluster.SkipUnlessDockerAvailable();
        var account = await _cluster.CreateServiceAccountAsync("billing");
        var token = await _cluster.CreateLegacyTokenAsync(account);
        using var upstreams = _cluster.UseAsTvmUpstreams();
        // No TOKEN_AUDIENCES: the API server refuses a legacy token for any audience but its own, by design.
        await using var app = _cluster.CreateTvm(_upstreams);

        using var response = await app.VendAsync(token);

        ShouldBeIssuedCredentials(await response.ShouldBeCredentialsAsync());
    }

    [Theory]
    [InlineData("signed with a foreign key")]
    [InlineData("claims altered after signing")]
    public async Task Forged_token_is_401_invalid_token(string forgery)
    {
        _cluster.SkipUnlessDockerAvailable();
        var account = await _cluster.CreateServiceAccountAsync("web");
        var genuine = await _cluster.RequestProjectedTokenAsync(account, audience: "tvm");
        var forged = forgery == "signed with a foreign key"
            ? ForgedTokens.ResignedWithForeignKey(genuine)
            : ForgedTokens.WithSubject(genuine, $"system:serviceaccount:{account.Namespace}:admin");
        using var upstreams = _cluster.UseAsTvmUpstreams();
        await using var app = _cluster.CreateTvm(_upstreams, new Dictionary<string, string?> { ["TOKEN_AUDIENCES"] = "tvm" });

        using var response = await app.VendAsync(forged);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");
        problem.Detail().Should().NotContain(forged);
    }

    [Fact]
    public async Task Authenticated_user_that_is_not_a_service_account_is_403()
    {
        _cluster.SkipUnlessDockerAvailable();
        var (token, username) = await _cluster.CreateBootstrapTokenAsync();
        username.Should().StartWith("system:bootstrap:", "the API server authenticates a bootstrap token as a bootstrap user");
        using var upstreams = _cluster.UseAsTvmUpstreams();
        await using var app = _cluster.CreateTvm(_upstreams);

        using var response = await app.VendAsync(token);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.Detail().Should().Contain(username).And.NotContain(token);
    }

    /// <summary>Temporary credentials from STS, not the base keys TVM signs its own calls with.</summary>
    private static void ShouldBeIssuedCredentials(JsonElement body)
    {
        var accessKeyId = body.GetProperty("AWS_ACCESS_KEY_ID").GetString();
        accessKeyId.Should().NotBeNullOrWhiteSpace().And.NotBe(ContainerUpstreams.BaseAccessKey);
        body.GetProperty("AWS_SECRET_ACCESS_KEY").GetString().Should().NotBeNullOrWhiteSpace().And.NotBe(ContainerUpstreams.BaseAccessKey);
        body.GetProperty("AWS_SESSION_TOKEN").GetString().Should().NotBeNullOrWhiteSpace();
        var expiration = DateTimeOffset.Parse(body.GetProperty("AWS_CREDENTIAL_EXPIRATION").GetString()!, CultureInfo.InvariantCulture);
        expiration.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(30), "credentials keep at least half of the default hour");
    }
}
