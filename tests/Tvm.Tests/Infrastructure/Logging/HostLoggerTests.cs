using Tvm.Emulators.Kubernetes;

namespace Tvm.Tests.Infrastructure.Logging;

/// <summary>
/// Each TVM host writes through its own logger. Serilog's static <c>Log.Logger</c> belongs to the whole process:
/// a host that logged through it would lose its lines to whichever host was built or stopped last.
/// </summary>
public sealed class HostLoggerTests(Upstreams upstreams)
{
    [Fact]
    public async Task A_host_keeps_logging_to_its_own_sinks_after_another_host_in_the_process_starts_and_stops()
    {
        await using var first = new TvmApp(upstreams);
        using var client = first.CreateClient();
        using (var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            health.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await using (var second = new TvmApp(upstreams))
        {
            using var started = await second.VendAsync(upstreams.Kubernetes.MintProjectedToken("api", "other"));
            await started.ShouldBeCredentialsAsync();
        }

        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");
        upstreams.Kubernetes.FailNext(KubernetesFault.ServerError, count: 1);
        using var response = await first.VendAsync(token);

        await response.ShouldBeCredentialsAsync();
        first.Logs.Lines.Should().ContainSingle(line => line.Contains("TokenReview attempt 1 failed", StringComparison.Ordinal),
            "a line logged through the framework's ILogger reaches the sinks of the host that logged it");
        first.Logs.VendOutcomes.Should().ContainSingle("the outcome line is written only while the host's own logger has its level enabled");
    }
}
