using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;

[assembly: AssemblyFixture(typeof(Tvm.Tests.Support.Upstreams))]

namespace Tvm.Tests.Support;

/// <summary>
/// One Kubernetes API and one STS emulator for the whole run. TVM reaches them the way it reaches the real
/// ones: the AWS SDK reads AWS_ENDPOINT_URL_STS and the base keys from the environment, and the Kubernetes
/// client reads the kubeconfig named by KUBECONFIG. Those are process-wide, hence one pair and serial tests.
/// </summary>
public sealed class Upstreams : IAsyncLifetime
{
    public const string Region = "us-east-1";

    public KubernetesApiEmulator Kubernetes { get; private set; } = null!;
    public StsEmulator Sts { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Kubernetes = await KubernetesApiEmulator.StartAsync();
        Sts = await StsEmulator.StartAsync(new StsEmulatorOptions { Region = Region });

        Environment.SetEnvironmentVariable("KUBECONFIG", Kubernetes.KubeconfigPath);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", Sts.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Sts.AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Sts.SecretAccessKey);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }

    /// <summary>Back to a healthy, fast, empty-handed pair; <see cref="RestoreHealthyUpstreamsAttribute"/> calls it before each test.</summary>
    public void Reset()
    {
        Kubernetes.Fault = KubernetesFault.None;
        Kubernetes.Latency = TimeSpan.Zero;
        Kubernetes.ResetCounters();
        Sts.Fault = StsFault.None;
        Sts.RoleTrustAllowsTagSession = true;
        Sts.Latency = TimeSpan.Zero;
        Sts.ResetCounters();
    }

    public async ValueTask DisposeAsync()
    {
        await Kubernetes.DisposeAsync();
        await Sts.DisposeAsync();
    }
}
