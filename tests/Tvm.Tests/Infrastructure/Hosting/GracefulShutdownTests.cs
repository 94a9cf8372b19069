namespace Tvm.Tests.Infrastructure.Hosting;

/// <summary>SIGTERM as Kubernetes sends it, with requests in flight: readiness off at once, every request answered, exit 0.</summary>
public sealed class GracefulShutdownTests(Upstreams upstreams)
{
    [Fact]
    public async Task Sigterm_turns_readiness_off_serves_on_answers_everything_in_flight_and_exits_0()
    {
        await using var tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?> { ["SHUTDOWN_DELAY_SECONDS"] = "2" });
        using var client = new HttpClient { BaseAddress = tvm.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        upstreams.Sts.Latency = TimeSpan.FromMilliseconds(1500);

        // Each its own service account, so each waits on its own AssumeRole.
        var inFlight = Enumerable.Range(0, 20).Select(i => VendAsync(client, upstreams.Kubernetes.MintProjectedToken("api", $"worker-{i}"))).ToList();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var stopping = tvm.StopAsync(TimeSpan.FromSeconds(30));

        var readiness = await WaitForReadinessAsync(client, HttpStatusCode.ServiceUnavailable);
        readiness.Should().Be(HttpStatusCode.ServiceUnavailable, "readiness turns off as soon as TVM is asked to stop");
        using (var liveness = await client.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            liveness.StatusCode.Should().Be(HttpStatusCode.OK, "liveness stays up: the pod is not broken, it is leaving");
        }

        upstreams.Sts.Latency = TimeSpan.Zero;
        (await VendAsync(client, upstreams.Kubernetes.MintProjectedToken("api", "late"))).Should().Be(HttpStatusCode.OK, "TVM keeps serving during the delay");

        (await Task.WhenAll(inFlight)).Should().AllSatisfy(status => status.Should().Be(HttpStatusCode.OK));
        (await stopping).Should().Be(0);
        (await tvm.WaitForStdoutLineAsync(line => line.Contains("/readyz now answers 503", StringComparison.Ordinal), TimeSpan.FromSeconds(1))).Should().BeTrue();
    }

    private static async Task<HttpStatusCode> VendAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "vend");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> WaitForReadinessAsync(HttpClient client, HttpStatusCode wanted)
    {
        var status = HttpStatusCode.OK;
        for (var attempt = 0; attempt < 40 && status != wanted; attempt++)
        {
            using var response = await client.GetAsync(new Uri("readyz", UriKind.Relative), TestContext.Current.CancellationToken);
            status = response.StatusCode;
            if (status != wanted)
            {
                await Task.Delay(25, TestContext.Current.CancellationToken);
            }
        }

        return status;
    }
}
