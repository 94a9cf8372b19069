using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tvm.Emulators.Sts;

namespace Tvm.Tests.Features.Vending;

/// <summary>Riding out an STS outage through the real clients, with TVM's clock moved forward.</summary>
public sealed class StaleCredentialsTests(Upstreams upstreams)
{
    [Fact]
    public async Task During_an_sts_outage_cached_credentials_serve_until_five_minutes_before_expiry()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new TvmApp(upstreams, configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web", lifetime: TimeSpan.FromHours(2));

        using var fresh = await app.VendAsync(token);
        var issued = (await fresh.ShouldBeCredentialsAsync()).GetProperty("AWS_ACCESS_KEY_ID").GetString();

        upstreams.Sts.Fault = StsFault.ServerError;
        clock.Advance(TimeSpan.FromMinutes(31));
        using var stale = await app.VendAsync(token);
        (await stale.ShouldBeCredentialsAsync()).GetProperty("AWS_ACCESS_KEY_ID").GetString().Should().Be(issued);
        app.Logs.Lines.Should().Contain(
            line => line.Contains("serving the cached credentials of api.web", StringComparison.Ordinal) && line.Contains("\"Level\":\"Warning\"", StringComparison.Ordinal),
            "STS answered [{0}] after the first issue", string.Join(", ", upstreams.Sts.Calls.Select(call => call.ErrorCode ?? "issued")));

        clock.Advance(TimeSpan.FromMinutes(25));
        using var expiring = await app.VendAsync(token);
        await expiring.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task A_tokenreview_failure_is_never_answered_with_cached_credentials()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new TvmApp(upstreams, configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web", lifetime: TimeSpan.FromHours(2));
        using var fresh = await app.VendAsync(token);
        await fresh.ShouldBeCredentialsAsync();

        upstreams.Kubernetes.Fault = Tvm.Emulators.Kubernetes.KubernetesFault.ServerError;
        clock.Advance(TimeSpan.FromMinutes(1));
        using var response = await app.VendAsync(token);

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
    }
}
