using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Tvm.Emulators.Tls;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// An in-process stand-in for kube-apiserver's TokenReview API, served over HTTPS on 127.0.0.1 with the real wire
/// format, so the official KubernetesClient works against it unmodified through <see cref="KubeconfigPath"/>.
/// It mints the service-account tokens it later reviews, and can be switched into failure modes at any time.
/// </summary>
public sealed class KubernetesApiEmulator : IAsyncDisposable
{
    /// <summary>Issuer of bound (projected) service-account tokens; also the API server's implicit audience.</summary>
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>The audience assumed when a token or a review names none (the apiserver's <c>--api-audiences</c>).</summary>
    public const string DefaultAudience = "https://kubernetes.default.svc.cluster.local";

    /// <summary>Issuer of legacy Secret-based service-account tokens.</summary>
    public const string LegacyIssuer = "kubernetes/serviceaccount";

    /// <summary>Issuer of <see cref="MintUserToken"/> tokens, standing in for an OIDC provider the cluster trusts.</summary>
    public const string UserIssuer = "https://oidc.tvm-emulator.test";

    /// <summary>Path of the TokenReview create endpoint.</summary>
    public const string TokenReviewPath = "/apis/authentication.k8s.io/v1/tokenreviews";

    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CallerTokenLifetime = TimeSpan.FromDays(365);

    private readonly KubernetesApiEmulatorOptions options;
    private readonly ClusterInventory inventory = new();
    private readonly JwtSigningKey clusterKey = JwtSigningKey.Generate();
    private readonly Lazy<JwtSigningKey> foreignKey = new(JwtSigningKey.Generate, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ServiceAccountTokenIssuer tokenIssuer;
    private readonly EphemeralCertificateAuthority certificateAuthority;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<ReceivedTokenReview> received = new();
    private readonly WebApplication host;
    private Listening? listening;
    private int fault;
    private int faultedReviewsLeft = Unlimited;
    private long latencyTicks;
    private int tokenReviewCount;
    private volatile bool recordReceived = true;
    private int disposed;

    private KubernetesApiEmulator(KubernetesApiEmulatorOptions options)
    {
        this.options = options;
        StoppingToken = stopping.Token;
        tokenIssuer = new ServiceAccountTokenIssuer(inventory, options.TimeProvider);
        certificateAuthority = EphemeralCertificateAuthority.Create("kube-apiserver");
        CallerUsername = ServiceAccountTokenIssuer.ServiceAccountUsername(options.CallerNamespace, options.CallerServiceAccount);
        CallerToken = tokenIssuer.MintProjected(
            clusterKey, options.CallerNamespace, options.CallerServiceAccount, audiences: null, CallerTokenLifetime, podName: null, nodeName: null);
        var authenticator = new TokenReviewAuthenticator(clusterKey, inventory, options.TimeProvider, options.ClockSkewLeeway);
        host = BuildHost(certificateAuthority.ServerCertificate, new ApiServerRequestHandler(this, authenticator));
    }

    /// <summary>Base address, <c>https://127.0.0.1:PORT</c>.</summary>
    public Uri Server => Started.Server;

    /// <summary>Kubeconfig for <see cref="Server"/>: its CA, and <see cref="CallerToken"/> as the user. Deleted on dispose.</summary>
    public string KubeconfigPath => Started.KubeconfigPath;

    /// <summary>The bearer token the TokenReview caller (TVM) must present: a token of the caller's service account.</summary>
    public string CallerToken { get; }

    /// <summary>Username of <see cref="CallerToken"/>, e.g. <c>system:serviceaccount:tvm-system:tvm</c>; named in 403 answers.</summary>
    public string CallerUsername { get; }

    /// <summary>PEM of the CA that signed the serving certificate, for clients configured without the kubeconfig.</summary>
    public string CertificateAuthorityPem => certificateAuthority.CertificatePem;

    private const int Unlimited = -1;

    /// <summary>Failure mode applied to TokenReview requests from now on (or to those <see cref="FailNext"/> still covers).</summary>
    public KubernetesFault Fault
    {
        get => Volatile.Read(ref faultedReviewsLeft) == 0 ? KubernetesFault.None : (KubernetesFault)Volatile.Read(ref fault);
        set
        {
            Volatile.Write(ref fault, (int)value);
            Volatile.Write(ref faultedReviewsLeft, Unlimited);
        }
    }

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="count"/> TokenReviews only, then answers normally again.</summary>
    public void FailNext(KubernetesFault fault, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Volatile.Write(ref faultedReviewsLeft, 0);
        Volatile.Write(ref this.fault, (int)fault);
        Volatile.Write(ref faultedReviewsLeft, count);
    }

    /// <summary>Delay added before each TokenReview answer (not applied while <see cref="KubernetesFault.Hang"/>).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref latencyTicks));
        set => Volatile.Write(ref latencyTicks, value.Ticks);
    }

    /// <summary>
    /// Whether <see cref="Received"/> keeps a record per review (default true). Turn off for long benchmarks to
    /// keep memory flat; <see cref="TokenReviewCount"/> still counts.
    /// </summary>
    public bool RecordReceived
    {
        get => recordReceived;
        set => recordReceived = value;
    }

    /// <summary>TokenReview POSTs received since start or <see cref="ResetCounters"/>, answered or not.</summary>
    public int TokenReviewCount => Volatile.Read(ref tokenReviewCount);

    /// <summary>Snapshot of the reviews received (those carrying a token), in arrival order.</summary>
    public IReadOnlyList<ReceivedTokenReview> Received => received.ToArray();

    internal CancellationToken StoppingToken { get; }

    private Listening Started => listening ?? throw new InvalidOperationException("The emulator has not started.");

    public static Task<KubernetesApiEmulator> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new KubernetesApiEmulatorOptions(), cancellationToken);

    public static async Task<KubernetesApiEmulator> StartAsync(
        KubernetesApiEmulatorOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var emulator = new KubernetesApiEmulator(options);
        try
        {
            await emulator.ListenAsync(cancellationToken);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes, as recorded in <see cref="ReceivedTokenReview.TokenSha256"/>.</summary>
    public static string Sha256Hex(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>The fault the TokenReview arriving now gets, using up one of those <see cref="FailNext"/> granted.</summary>
    internal KubernetesFault TakeFault()
    {
        while (true)
        {
            var left = Volatile.Read(ref faultedReviewsLeft);
            if (left == 0)
            {
                return KubernetesFault.None;
            }

            if (left == Unlimited || Interlocked.CompareExchange(ref faultedReviewsLeft, left - 1, left) == left)
            {
                return (KubernetesFault)Volatile.Read(ref fault);
            }
        }
    }

    public void ResetCounters()
    {
        Interlocked.Exchange(ref tokenReviewCount, 0);
        received.Clear();
    }

    /// <summary>
    /// A bound service-account token as the TokenRequest API (and so the kubelet's projected volume) issues it.
    /// A negative <paramref name="lifetime"/> yields a token that expired that long ago. The node claim is only
    /// written for pod-bound tokens, as the node is that of the pod.
    /// </summary>
    public string MintProjectedToken(
        string @namespace,
        string serviceAccount,
        IEnumerable<string>? audiences = null,
        TimeSpan? lifetime = null,
        string? podName = "pod-1",
        string? nodeName = "node-1") =>
        tokenIssuer.MintProjected(clusterKey, @namespace, serviceAccount, audiences, lifetime, podName, nodeName);

    /// <summary>A legacy Secret-based token: never expires, carries no audience, so it only passes reviews for the API server's own audience.</summary>
    public string MintLegacyToken(string @namespace, string serviceAccount, string? secretName = null) =>
        tokenIssuer.MintLegacy(clusterKey, @namespace, serviceAccount, secretName);

    /// <summary>A token that authenticates as a plain user (not a service account), groups <c>system:authenticated</c> only.</summary>
    public string MintUserToken(string username, IEnumerable<string>? audiences = null) =>
        tokenIssuer.MintUser(clusterKey, username, audiences);

    /// <summary>A well-formed projected token signed by a key this cluster does not trust.</summary>
    public string MintForeignToken(string @namespace, string serviceAccount) =>
        tokenIssuer.MintProjected(foreignKey.Value, @namespace, serviceAccount, audiences: null, lifetime: null, "pod-1", "node-1");

    /// <summary>Invalidates one token, as deleting its Secret or bound pod would; later reviews fail.</summary>
    public void Revoke(string token) => inventory.InvalidateToken(Sha256Hex(token));

    /// <summary>The UID of the service account (created on first use); stable until <see cref="DeleteServiceAccount"/>.</summary>
    public string ServiceAccountUid(string @namespace, string serviceAccount) =>
        inventory.EnsureServiceAccount(@namespace, serviceAccount);

    /// <summary>The UID of a pod that a minted token is bound to, or null when no such pod exists.</summary>
    public string? PodUid(string @namespace, string podName) => inventory.FindPodUid(@namespace, podName);

    /// <summary>
    /// Deletes the service account: every token minted for it stops authenticating. Minting for the same name
    /// again recreates it with a new UID, which old tokens do not match either.
    /// </summary>
    public bool DeleteServiceAccount(string @namespace, string serviceAccount) =>
        inventory.DeleteServiceAccount(@namespace, serviceAccount);

    /// <summary>Deletes the pod: every token bound to it stops authenticating.</summary>
    public bool DeletePod(string @namespace, string podName) => inventory.DeletePod(@namespace, podName);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Releases hanging and delayed requests first so that the host's graceful stop does not wait for them.
        await stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(ShutdownTimeout))
        {
            try
            {
                await host.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Connections still open after the timeout are torn down by disposing the host.
            }
        }

        await host.DisposeAsync();
        if (listening is not null)
        {
            DeleteDirectory(listening.Directory);
        }

        certificateAuthority.Dispose();
        clusterKey.Dispose();
        if (foreignKey.IsValueCreated)
        {
            foreignKey.Value.Dispose();
        }

        stopping.Dispose();
    }

    internal void CountTokenReview() => Interlocked.Increment(ref tokenReviewCount);

    internal void RecordReview(string tokenSha256, IReadOnlyList<string> audiences)
    {
        if (recordReceived)
        {
            received.Enqueue(new ReceivedTokenReview(tokenSha256, audiences, options.TimeProvider.GetUtcNow()));
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        await host.StartAsync(cancellationToken);
        var address = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single();
        var server = new Uri($"https://127.0.0.1:{new Uri(address).Port}");

        var directory = Directory.CreateTempSubdirectory("tvm-kube-emulator-").FullName;
        var kubeconfigPath = Path.Combine(directory, "kubeconfig");
        KubeconfigWriter.Write(
            kubeconfigPath,
            KubeconfigWriter.Render(server, certificateAuthority.CertificatePem, CallerToken, options.CallerNamespace));
        listening = new Listening(server, kubeconfigPath, directory);
    }

    private static WebApplication BuildHost(X509Certificate2 serverCertificate, ApiServerRequestHandler handler)
    {
        // The empty builder reads no appsettings, environment variables or command line, so nothing meant for
        // the service under test (Kestrel endpoints, URLs, log levels) can leak into the emulator.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, SilentHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(serverCertificate);
            });
        });

        var app = builder.Build();
        app.Run(handler.HandleAsync);
        return app;
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory is harmless; failing a test's cleanup over it is not.
        }
    }

    private sealed record Listening(Uri Server, string KubeconfigPath, string Directory);

    /// <summary>
    /// Keeps the host off the console: no "press Ctrl+C" lifetime and no SIGTERM hooks, which belong to the
    /// test process, not to an emulator inside it.
    /// </summary>
    private sealed class SilentHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
