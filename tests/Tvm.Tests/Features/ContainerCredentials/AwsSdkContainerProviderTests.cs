using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Features.ContainerCredentials;

/// <summary>
/// The AWS SDK for .NET's own container-credentials provider, found by its default chain from the two variables a
/// workload sets, fetching from a TVM process over loopback HTTP: no code of ours on the client side.
/// </summary>
public sealed class AwsSdkContainerProviderTests(Upstreams upstreams) : IAsyncLifetime
{
    private readonly string _tokenFile = TemplateFiles.Write("");
    private readonly List<EnvironmentScope> _environment = [];
    private TvmProcess? _tvm;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var scope in Enumerable.Reverse(_environment))
        {
            scope.Dispose();
        }

        if (_tvm is not null)
        {
            await _tvm.DisposeAsync();
        }
    }

    /// <summary>The workload's side: only the two variables, and no other credentials the chain could find first.</summary>
    private async Task<TvmProcess> StartAsWorkloadAsync(IReadOnlyDictionary<string, string?>? tvmSettings = null)
    {
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, tvmSettings);
        _environment.Add(new EnvironmentScope("AWS_ACCESS_KEY_ID", null));
        _environment.Add(new EnvironmentScope("AWS_SECRET_ACCESS_KEY", null));
        _environment.Add(new EnvironmentScope("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"));
        _environment.Add(new EnvironmentScope("AWS_CONFIG_FILE", "/nonexistent/config"));
        _environment.Add(new EnvironmentScope("AWS_CONTAINER_CREDENTIALS_FULL_URI", new Uri(_tvm.BaseAddress, "v1/credentials").ToString()));
        _environment.Add(new EnvironmentScope("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", _tokenFile));
        return _tvm;
    }

    [Fact]
    public async Task The_default_chain_gets_the_credentials_sts_issued_through_tvm()
    {
        await File.WriteAllTextAsync(_tokenFile, upstreams.Kubernetes.MintProjectedToken("api", "web", podName: "web-1"), TestContext.Current.CancellationToken);
        var tvm = await StartAsWorkloadAsync();

        var provider = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        var credentials = await provider.GetCredentialsAsync();

        provider.Should().BeOfType<GenericContainerCredentials>();
        var issued = upstreams.Sts.Calls.Should().ContainSingle().Subject.Issued!;
        credentials.AccessKey.Should().Be(issued.AccessKeyId);
        credentials.SecretKey.Should().Be(issued.SecretAccessKey);
        credentials.Token.Should().Be(issued.SessionToken);
        upstreams.Sts.Calls[0].RoleSessionName.Should().Be("api.web");
        (await tvm.WaitForStdoutLineAsync(
            line => line.Contains("\"Endpoint\":\"/v1/credentials\"", StringComparison.Ordinal) && line.Contains("\"StatusCode\":200", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5))).Should().BeTrue("the fetch is logged as a /v1/credentials outcome");
    }

    [Fact]
    public async Task The_sdk_refreshes_through_tvm_rereading_the_token_file()
    {
        // A 15-minute session leaves no more than the SDK's 15-minute refresh window, so it soon asks again; with
        // TVM's credential cache off, every ask is a new AssumeRole.
        await File.WriteAllTextAsync(_tokenFile, upstreams.Kubernetes.MintProjectedToken("api", "web"), TestContext.Current.CancellationToken);
        var tvm = await StartAsWorkloadAsync(new Dictionary<string, string?> { ["SESSION_DURATION_SECONDS"] = "900", ["CREDENTIAL_CACHE_SIZE"] = "0" });
        var provider = new GenericContainerCredentials();

        var first = await provider.GetCredentialsAsync();
        var rotatedToken = upstreams.Kubernetes.MintProjectedToken("api", "web", podName: "web-2");
        await File.WriteAllTextAsync(_tokenFile, rotatedToken, TestContext.Current.CancellationToken);
        // Expiration is in whole seconds, so the refresh window may open up to a second after the first fetch.
        var second = first;
        for (var attempt = 0; attempt < 20 && upstreams.Sts.Calls.Count < 2; attempt++)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            second = await provider.GetCredentialsAsync();
        }

        // The SDK may also refresh in the background, so count at least, not exactly.
        upstreams.Sts.Calls.Count.Should().BeGreaterThanOrEqualTo(2);
        first.AccessKey.Should().Be(upstreams.Sts.Calls[0].Issued!.AccessKeyId);
        second.AccessKey.Should().NotBe(first.AccessKey);
        upstreams.Sts.Calls.Select(call => call.Issued!.AccessKeyId).Should().Contain(second.AccessKey);
        upstreams.Kubernetes.Received.Select(review => review.TokenSha256).Should().Contain(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rotatedToken))),
            "the SDK reads the token file again for each fetch, so a rotated token is used");
        (await tvm.WaitForStdoutLineAsync(line => line.Contains("\"Endpoint\":\"/v1/credentials\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5))).Should().BeTrue();
    }
}
