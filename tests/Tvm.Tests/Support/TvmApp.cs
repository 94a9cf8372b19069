using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Serilog.Core;
using Tvm.Infrastructure.Logging;

namespace Tvm.Tests.Support;

/// <summary>TVM in-process, configured as an operator would, talking to the emulators over real HTTP.</summary>
public sealed class TvmApp(
    Upstreams upstreams,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    public LogCapture Logs { get; } = new();

    public List<Activity> Spans { get; } = [];

    public static string ShippedTemplatePath => Path.Combine(AppContext.BaseDirectory, "Templates", "policy.json");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        var defaults = new Dictionary<string, string?>
        {
            ["AWS_ROLE_ARN"] = upstreams.Sts.RoleArn,
            ["AWS_REGION"] = Upstreams.Region,
            ["POLICY_TEMPLATE_PATH"] = ShippedTemplatePath,
            ["KUBECONFIG"] = upstreams.Kubernetes.KubeconfigPath,
            ["LOG_LEVEL"] = "DEBUG",
            ["SHUTDOWN_DELAY_SECONDS"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            defaults[key] = value;
        }

        foreach (var (key, value) in defaults)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs);
            services.AddSingleton<IJsonLogLineSink>(Logs);
            // The test runner reads its own messages from this process's stdout: log lines there would corrupt them.
            services.AddSingleton(new LogOutput(Stream.Null));
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
            configureServices?.Invoke(services);
        });
    }

    public async Task<HttpResponseMessage> VendAsync(string? token, HttpContent? body = null, string? requestId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/vend") { Content = body };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        }

        return await CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>GET /v1/credentials with the Authorization header exactly as given (the SDKs send the bare token).</summary>
    public async Task<HttpResponseMessage> ContainerCredentialsAsync(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/credentials");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
    }
}
