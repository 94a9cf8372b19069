using System.Security.Cryptography;
using DotNet.Testcontainers.Builders;
using k8s;
using k8s.Models;
using Testcontainers.K3s;
using Testcontainers.LocalStack;

namespace Tvm.Tests.Containers;

/// <summary>
/// A real Kubernetes API server (k3s) and a real STS (LocalStack), each in its own container, started together
/// once for the tests of a class. Where no Docker engine answers, nothing starts and every test skips with
/// <see cref="SkipReason"/>; where one answers, a failure to start fails the tests.
/// </summary>
public sealed class ContainerUpstreams : IAsyncLifetime
{
    public const string SkipReason = "Docker engine not available";

    public const string K3sImage = "rancher/k3s:v1.34.2-k3s1";

    /// <summary>The last LocalStack release that runs without an auth token (Testcontainers refuses 4.15 and later without one).</summary>
    public const string LocalStackImage = "localstack/localstack:4.14.0";

    public const string Region = "us-east-1";

    /// <summary>LocalStack does not enforce IAM by default, so AssumeRole needs no role to exist; account 000000000000 is its default.</summary>
    public const string RoleArn = "arn:aws:iam::000000000000:role/tvm-workloads";

    /// <summary>LocalStack takes any alphanumeric key id and ignores the secret.</summary>
    public const string BaseAccessKey = "test";

    private static readonly TimeSpan StartupLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ControllerLimit = TimeSpan.FromSeconds(60);
    private const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";

    private K3sContainer? _k3s;
    private LocalStackContainer? _localStack;
    private k8s.Kubernetes? _client;
    private string? _kubeconfigPath;
    private string? _stsEndpoint;

    public bool DockerAvailable { get; private set; }

    /// <summary>The k3s admin kubeconfig, with the server rewritten to the port Docker mapped on this host.</summary>
    public string KubeconfigPath => Started(_kubeconfigPath);

    public string StsEndpoint => Started(_stsEndpoint);

    /// <summary>The cluster as its administrator sees it, to set up service accounts and tokens.</summary>
    public IKubernetes Client => Started(_client);

    public async ValueTask InitializeAsync()
    {
        try
        {
            // Building validates the Docker endpoint first: without an engine it throws at once, before any pull.
            _k3s = new K3sBuilder(K3sImage)
                .WithCommand("--kube-apiserver-arg=enable-bootstrap-token-auth=true")
                .Build();
            _localStack = new LocalStackBuilder(LocalStackImage).Build();
        }
        catch (DockerUnavailableException)
        {
            return;
        }

        DockerAvailable = true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(StartupLimit);
        await Task.WhenAll(_k3s.StartAsync(limit.Token), _localStack.StartAsync(limit.Token));

        _kubeconfigPath = Path.Combine(Directory.CreateTempSubdirectory("tvm-k3s-").FullName, "kubeconfig.yaml");
        await File.WriteAllTextAsync(_kubeconfigPath, await _k3s.GetKubeconfigAsync(), limit.Token);
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfigPath));
        _stsEndpoint = _localStack.GetConnectionString();
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_k3s is not null)
        {
            await _k3s.DisposeAsync();
        }

        if (_localStack is not null)
        {
            await _localStack.DisposeAsync();
        }

        if (_kubeconfigPath is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_kubeconfigPath)!, recursive: true);
        }
    }

    /// <summary>Ends the test as skipped, with <see cref="SkipReason"/>, where no Docker engine answered.</summary>
    public void SkipUnlessDockerAvailable() => Assert.SkipUnless(DockerAvailable, SkipReason);

    /// <summary>
    /// Points the process at the containers the way an operator points TVM at real upstreams: the AWS SDK reads
    /// the STS endpoint and base keys from the environment, the Kubernetes client the kubeconfig named by KUBECONFIG.
    /// </summary>
    public IDisposable UseAsTvmUpstreams() => new Scopes(
    [
        new EnvironmentScope("AWS_ENDPOINT_URL_STS", StsEndpoint),
        new EnvironmentScope("AWS_ACCESS_KEY_ID", BaseAccessKey),
        new EnvironmentScope("AWS_SECRET_ACCESS_KEY", BaseAccessKey),
        new EnvironmentScope("KUBECONFIG", KubeconfigPath),
    ]);

    /// <summary>TVM in-process, configured for the containers; use inside <see cref="UseAsTvmUpstreams"/>.</summary>
    public TvmApp CreateTvm(Upstreams upstreams, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["AWS_ROLE_ARN"] = RoleArn,
            ["AWS_REGION"] = Region,
            ["KUBECONFIG"] = KubeconfigPath,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new TvmApp(upstreams, all);
    }

    /// <summary>A service account of its own in a namespace of its own, so that no test sees another's.</summary>
    public async Task<ServiceAccountRef> CreateServiceAccountAsync(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var account = new ServiceAccountRef("tvm-e2e-" + RandomNumberGenerator.GetString(LowerAlphanumeric, 8), name);
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = account.Namespace } }, cancellationToken: ct);
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(
            new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = account.Name, NamespaceProperty = account.Namespace } },
            account.Namespace,
            cancellationToken: ct);
        return account;
    }

    /// <summary>A bound token from the TokenRequest API, as the kubelet projects into a pod (with expiry and audience).</summary>
    public async Task<string> RequestProjectedTokenAsync(ServiceAccountRef account, string audience)
    {
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { Audiences = [audience], ExpirationSeconds = 3600 },
        };
        var issued = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            request, account.Name, account.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        return issued.Status.Token;
    }

    /// <summary>A long-lived token: a service-account-token Secret, filled in by the token controller.</summary>
    public async Task<string> CreateLegacyTokenAsync(ServiceAccountRef account)
    {
        var ct = TestContext.Current.CancellationToken;
        var name = account.Name + "-token";
        await Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = account.Namespace,
                    Annotations = new Dictionary<string, string> { ["kubernetes.io/service-account.name"] = account.Name },
                },
                Type = "kubernetes.io/service-account-token",
            },
            account.Namespace,
            cancellationToken: ct);

        return await EventuallyAsync($"the token controller to fill Secret {account.Namespace}/{name}", async () =>
        {
            var secret = await Client.CoreV1.ReadNamespacedSecretAsync(name, account.Namespace, cancellationToken: ct);
            return secret.Data is not null && secret.Data.TryGetValue("token", out var token) && token.Length > 0
                ? System.Text.Encoding.UTF8.GetString(token)
                : null;
        });
    }

    /// <summary>
    /// A bearer token the API server authenticates as a user that is not a service account: a bootstrap token
    /// (<c>&lt;id&gt;.&lt;secret&gt;</c>, user <c>system:bootstrap:&lt;id&gt;</c>), enabled on the API server above.
    /// Returns once the API server's own TokenReview accepts it.
    /// </summary>
    public async Task<(string Token, string Username)> CreateBootstrapTokenAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = RandomNumberGenerator.GetString(LowerAlphanumeric, 6);
        var secret = RandomNumberGenerator.GetString(LowerAlphanumeric, 16);
        var expiration = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "bootstrap-token-" + id, NamespaceProperty = "kube-system" },
                Type = "bootstrap.kubernetes.io/token",
                StringData = new Dictionary<string, string>
                {
                    ["token-id"] = id,
                    ["token-secret"] = secret,
                    ["usage-bootstrap-authentication"] = "true",
                    ["expiration"] = expiration,
                },
            },
            "kube-system",
            cancellationToken: ct);

        var token = $"{id}.{secret}";
        var username = await EventuallyAsync($"the API server to authenticate bootstrap token {id}", async () =>
        {
            var review = await Client.AuthenticationV1.CreateTokenReviewAsync(
                new V1TokenReview { ApiVersion = "authentication.k8s.io/v1", Kind = "TokenReview", Spec = new V1TokenReviewSpec { Token = token } },
                cancellationToken: ct);
            return review.Status?.Authenticated == true ? review.Status.User?.Username : null;
        });
        return (token, username);
    }

    /// <summary>Waits, within a bound, for a controller or cache of the cluster to catch up.</summary>
    private static async Task<string> EventuallyAsync(string what, Func<Task<string?>> probe)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (waited.Elapsed > ControllerLimit)
            {
                throw new TimeoutException($"Waited {ControllerLimit.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        }
    }

    private static T Started<T>(T? value) where T : class =>
        value ?? throw new InvalidOperationException("The containers are not running: call SkipUnlessDockerAvailable() first.");

    private sealed class Scopes(IReadOnlyList<IDisposable> scopes) : IDisposable
    {
        public void Dispose()
        {
            foreach (var scope in scopes.Reverse())
            {
                scope.Dispose();
            }
        }
    }
}

public sealed record ServiceAccountRef(string Namespace, string Name);
