using System.Globalization;
using System.Text.RegularExpressions;
using Tvm.Emulators.Hosting;
using Tvm.Emulators.Sts;

namespace Tvm.Tests.Infrastructure.Telemetry;

/// <summary>A real Prometheus scrape of a TVM process after vends and faults: the counters and histograms moved.</summary>
public sealed partial class MetricsTests(Upstreams upstreams) : IAsyncLifetime
{
    private readonly int _metricsPort = TvmProcess.FreePort();
    private TvmProcess? _tvm;

    public async ValueTask InitializeAsync() =>
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?> { ["METRICS_PORT"] = _metricsPort.ToString(CultureInfo.InvariantCulture) });

    public async ValueTask DisposeAsync()
    {
        if (_tvm is not null)
        {
            await _tvm.DisposeAsync();
        }
    }

    private async Task<HttpStatusCode> VendAsync(string authorization)
    {
        using var client = new HttpClient { BaseAddress = _tvm!.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "vend");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private async Task<string> ScrapeAsync()
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{_metricsPort}/metrics"), TestContext.Current.CancellationToken);
    }

    /// <summary>The value of the sample of <paramref name="series"/> (<c>name{label="value",…}</c>) whose labels include all those given.</summary>
    private static double Sample(string exposition, string series)
    {
        var brace = series.IndexOf('{', StringComparison.Ordinal);
        var name = series[..brace];
        var labels = series[(brace + 1)..^1].Split(',');
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal)
            && labels.All(label => l.Contains(label, StringComparison.Ordinal)) && !l.Contains("le=\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf('}') + 2)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Counters_and_histograms_move_with_vends_and_faults()
    {
        var token = upstreams.Kubernetes.MintProjectedToken("api", "web");
        (await VendAsync("Bearer " + token)).Should().Be(HttpStatusCode.OK);
        (await VendAsync("Bearer " + token)).Should().Be(HttpStatusCode.OK);
        (await VendAsync("Bearer not-a-jwt")).Should().Be(HttpStatusCode.Unauthorized);
        upstreams.Sts.Fault = StsFault.Throttle;
        (await VendAsync("Bearer " + upstreams.Kubernetes.MintProjectedToken("api", "throttled"))).Should().Be(HttpStatusCode.ServiceUnavailable);

        // The exporter caches a scrape for a moment; the outcome is recorded after the answer is sent.
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        var metrics = await ScrapeAsync();

        Sample(metrics, """tvm_vend_requests_total{endpoint="/vend",outcome="Issued",status_code="200"}""").Should().Be(2);
        Sample(metrics, """tvm_vend_requests_total{endpoint="/vend",outcome="InvalidToken",status_code="401"}""").Should().Be(1);
        Sample(metrics, """tvm_vend_requests_total{endpoint="/vend",outcome="StsThrottled",status_code="503"}""").Should().Be(1);
        Sample(metrics, """tvm_vend_duration_seconds_count{endpoint="/vend",outcome="Issued",status_code="200"}""").Should().Be(2);
        Sample(metrics, """tvm_cache_lookups_total{cache="credentials",result="hit"}""").Should().Be(1);
        Sample(metrics, """tvm_cache_lookups_total{cache="credentials",result="miss"}""").Should().Be(2);
        Sample(metrics, """tvm_cache_lookups_total{cache="identity",result="hit"}""").Should().Be(1);
        Sample(metrics, """tvm_cache_lookups_total{cache="policy",result="hit"}""").Should().Be(1);
        Sample(metrics, """tvm_cache_lookups_total{cache="policy",result="miss"}""").Should().Be(2);
        Sample(metrics, """tvm_upstream_duration_seconds_count{upstream="assume_role",result="success"}""").Should().Be(1);
        Sample(metrics, """tvm_upstream_duration_seconds_count{upstream="assume_role",result="failure"}""").Should().Be(1);
        Sample(metrics, """tvm_upstream_duration_seconds_count{upstream="token_review",result="success"}""").Should().BeGreaterThanOrEqualTo(3);
        metrics.Should().Contain("http_server_request_duration_seconds_bucket").And.Contain("process_cpu_time_seconds").And.Contain("dotnet_gc_");
        metrics.Should().Contain("kestrel_active_connections");
        metrics.Should().NotContain("aspnetcore_routing_").And.NotContain("aspnetcore_memory_pool_").And.NotContain("http_server_active_requests",
            "per-request instruments that add nothing are dropped");
        metrics.Should().NotContain("api").And.NotContain("web\"", "no label holds a namespace or service-account name");
        metrics.Should().NotContain(token);
    }

    [Fact]
    public async Task Metrics_are_served_on_their_port_only_and_nothing_else_is()
    {
        using var client = new HttpClient();

        using var onServicePort = await client.GetAsync(new Uri(_tvm!.BaseAddress, "metrics"), TestContext.Current.CancellationToken);
        using var vendOnMetricsPort = await client.PostAsync(new Uri($"http://127.0.0.1:{_metricsPort}/vend"), null, TestContext.Current.CancellationToken);
        using var healthOnMetricsPort = await client.GetAsync(new Uri($"http://127.0.0.1:{_metricsPort}/healthz"), TestContext.Current.CancellationToken);

        onServicePort.StatusCode.Should().Be(HttpStatusCode.NotFound);
        vendOnMetricsPort.StatusCode.Should().Be(HttpStatusCode.NotFound);
        healthOnMetricsPort.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ScrapeAsync()).Should().Contain("# TYPE");
    }
}
