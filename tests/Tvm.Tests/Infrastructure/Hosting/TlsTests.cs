using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Tvm.Emulators.Hosting;
using Tvm.Emulators.Tls;

namespace Tvm.Tests.Infrastructure.Hosting;

/// <summary>HTTPS on PORT over real sockets: handshakes verified against the test CA only, rotation without a restart.</summary>
public sealed class TlsTests(Upstreams upstreams) : IAsyncLifetime
{
    private readonly KubeletSecretVolume _volume = new();
    private readonly EphemeralCertificateAuthority _first = EphemeralCertificateAuthority.Create("tvm-first");
    private readonly EphemeralCertificateAuthority _second = EphemeralCertificateAuthority.Create("tvm-second");
    private TvmProcess? _tvm;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_tvm is not null)
        {
            await _tvm.DisposeAsync();
        }

        _first.Dispose();
        _second.Dispose();
        _volume.Dispose();
    }

    private static Dictionary<string, string> PairOf(EphemeralCertificateAuthority authority) => new()
    {
        ["tls.crt"] = authority.ServerChainPem,
        ["tls.key"] = authority.ServerKeyPem,
    };

    private async Task<TvmProcess> StartWithTlsAsync()
    {
        _volume.Publish(PairOf(_first));
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?>
        {
            ["TLS_CERT_PATH"] = _volume.PathOf("tls.crt"),
            ["TLS_KEY_PATH"] = _volume.PathOf("tls.key"),
        }, TrustingOnly(_first));
        return _tvm;
    }

    /// <summary>A client that trusts exactly one CA, as a workload given TVM's CA bundle does.</summary>
    private static HttpClientHandler TrustingOnly(EphemeralCertificateAuthority authority) => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && IsIssuedBy(certificate, authority),
    };

    private static bool IsIssuedBy(X509Certificate2 certificate, EphemeralCertificateAuthority authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority.Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>The certificate a fresh handshake presents.</summary>
    private async Task<X509Certificate2> PresentedCertificateAsync()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _tvm!.Port, TestContext.Current.CancellationToken);
#pragma warning disable CA5359 // Only to read which certificate is presented; the tests judge it themselves.
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, AcceptToInspect);
#pragma warning restore CA5359
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, TestContext.Current.CancellationToken);
        return new X509Certificate2(tls.RemoteCertificate!);
    }

#pragma warning disable CA5359 // Only to read which certificate is presented; the tests judge it themselves.
    private static bool AcceptToInspect(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;
#pragma warning restore CA5359

    [Fact]
    public async Task A_client_trusting_only_the_ca_vends_over_https()
    {
        var tvm = await StartWithTlsAsync();
        using var client = new HttpClient(TrustingOnly(_first)) { BaseAddress = tvm.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/credentials");
        request.Headers.TryAddWithoutValidation("Authorization", upstreams.Kubernetes.MintProjectedToken("api", "web"));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var body = await response.ShouldBeCredentialsAsync();
        body.GetProperty("AccessKeyId").GetString().Should().Be(upstreams.Sts.Calls.Should().ContainSingle().Subject.Issued!.AccessKeyId);
        tvm.BaseAddress.Scheme.Should().Be("https");
    }

    [Fact]
    public async Task Plain_http_to_the_tls_port_gets_no_credentials()
    {
        var tvm = await StartWithTlsAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{tvm.Port}/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/credentials");
        request.Headers.TryAddWithoutValidation("Authorization", upstreams.Kubernetes.MintProjectedToken("api", "web"));

        HttpResponseMessage? response = null;
        try
        {
            response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.Should().NotBe(HttpStatusCode.OK);
        }
        catch (HttpRequestException)
        {
            // Closing the connection is an answer too: nothing was vended.
        }
        finally
        {
            response?.Dispose();
        }

        upstreams.Sts.AssumeRoleCount.Should().Be(0);
    }

    [Fact]
    public async Task A_rotated_pair_reaches_new_handshakes_while_tvm_keeps_running()
    {
        var tvm = await StartWithTlsAsync();
        using var established = new HttpClient(TrustingOnly(_first)) { BaseAddress = tvm.BaseAddress };
        (await established.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = await PresentedCertificateAsync();
        IsIssuedBy(before, _first).Should().BeTrue();

        _volume.Publish(PairOf(_second));
        var deadline = Stopwatch.StartNew();
        var after = before;
        while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !IsIssuedBy(after, _second))
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            after = await PresentedCertificateAsync();
        }

        IsIssuedBy(after, _second).Should().BeTrue("a new handshake presents the rotated certificate within seconds");
        deadline.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        tvm.HasExited.Should().BeFalse();
        (await established.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode
            .Should().Be(HttpStatusCode.OK, "a connection made before the rotation is not dropped");
        (await tvm.WaitForStdoutLineAsync(line => line.Contains("TLS certificate reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(5))).Should().BeTrue();
    }

    [Fact]
    public async Task A_broken_rotation_keeps_the_last_good_pair_and_logs_an_error()
    {
        var tvm = await StartWithTlsAsync();

        _volume.Publish(new Dictionary<string, string> { ["tls.crt"] = _second.ServerChainPem, ["tls.key"] = _first.ServerKeyPem });
        (await tvm.WaitForStdoutLineAsync(
            line => line.Contains("rotation failed", StringComparison.Ordinal) && line.Contains("\"Level\":\"Error\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15))).Should().BeTrue("a broken pair is logged as an error");
        IsIssuedBy(await PresentedCertificateAsync(), _first).Should().BeTrue();
        tvm.HasExited.Should().BeFalse();
    }

    [Theory]
    [InlineData("mismatched")]
    [InlineData("not pem")]
    public async Task An_unusable_pair_stops_start_up_naming_the_variable(string kind)
    {
        _volume.Publish(new Dictionary<string, string>
        {
            ["tls.crt"] = kind == "not pem" ? "not a certificate" : _first.ServerChainPem,
            ["tls.key"] = _second.ServerKeyPem,
        });
        await using var tvm = TvmProcess.Start(TvmProcesses.TvmAssembly, TvmProcesses.Environment(upstreams, new Dictionary<string, string?>
        {
            ["TLS_CERT_PATH"] = _volume.PathOf("tls.crt"),
            ["TLS_KEY_PATH"] = _volume.PathOf("tls.key"),
        }));

        (await tvm.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(1);
        tvm.StdoutLines.Should().ContainSingle(line => line.Contains("\"Level\":\"Fatal\"", StringComparison.Ordinal))
            .Which.Should().Contain("TLS_CERT_PATH");
    }
}
