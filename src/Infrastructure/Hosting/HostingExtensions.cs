using System.Globalization;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Tvm.Infrastructure.Hosting;

public static class HostingExtensions
{
    /// <summary>Room for a token somewhat over the 16 KiB accepted, so that one is answered 401 rather than 431.</summary>
    private const int MaxRequestHeadersBytes = 64 * 1024;

    /// <summary>
    /// One port, plain HTTP or, with TLS_CERT_PATH and TLS_KEY_PATH, HTTPS only (TLS 1.2 or later) with a
    /// certificate that is re-read when its files change.
    /// </summary>
    public static WebApplicationBuilder AddTvmHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new StartupCheck(EnvironmentNames.TlsCertPath, provider =>
        {
            if (provider.GetRequiredService<IOptions<TvmOptions>>().Value.ServesTls)
            {
                _ = provider.GetRequiredService<ServerCertificate>();
            }
        }));
        builder.Services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TvmOptions>>().Value;
            return new ServerCertificate(
                options.TlsCertPath!,
                options.TlsKeyPath!,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<ServerCertificate>>(),
                FileContentWatcher.DefaultInterval);
        });

        // Kestrel is configured before options are validated; an invalid PORT falls back here and then fails validation.
        var configured = TvmOptionsBinder.ReadEarly(builder.Configuration);
        var port = configured.Port is >= 1 and <= 65535 ? configured.Port : 8000;
        var tls = configured.TlsCertPath is not null && configured.TlsKeyPath is not null;
        var metricsPort = configured.MetricsPort is >= 1 and <= 65535 && configured.MetricsPort != port ? configured.MetricsPort : 0;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersBytes;
            kestrel.ListenAnyIP(port, listen =>
            {
                if (tls)
                {
                    // Resolved at the first handshake: Kestrel is configured while the app is built, before the
                    // start-up checks have had their say about the files.
                    var services = kestrel.ApplicationServices;
                    ServerCertificate? certificate = null;
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = (certificate ??= services.GetRequiredService<ServerCertificate>()).Current,
                            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        }),
                    });
                }
            });

            // Plain HTTP for Prometheus, whatever PORT serves; it answers /metrics and nothing else.
            if (metricsPort != 0)
            {
                kestrel.ListenAnyIP(metricsPort);
            }
        });

        builder.Services.AddSingleton<GracefulShutdown>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<GracefulShutdown>());
        // Clamped: the host is built before the options are validated, and a bad value fails validation later.
        var shutdownDelay = Math.Clamp(configured.ShutdownDelaySeconds, 0, 60);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(shutdownDelay) + GracefulShutdown.InFlightAllowance);
        return builder;
    }
}
