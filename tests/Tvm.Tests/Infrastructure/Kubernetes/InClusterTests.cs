using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Infrastructure.Kubernetes;

/// <summary>
/// TVM as it runs in a pod: no kubeconfig, the API server from KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, and
/// its own service account's token and CA from /var/run/secrets/kubernetes.io/serviceaccount, a path KubernetesClient
/// reads as a constant. The process gets a mount namespace of its own with those files on a private tmpfs, so the
/// machine's /var/run is never touched. This is also the path the trimmed image takes in every cluster, which no other
/// test reaches.
/// </summary>
public sealed class InClusterTests(Upstreams upstreams)
{
    private const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private const string SkipReason =
        "needs Linux and a private mount namespace (unshare --user --map-root-user --mount), which this machine refuses";

    // $1 is the directory holding the files to mount; the rest is TVM's command line, executed in place.
    private const string MountServiceAccount =
        $"set -e; mount -t tmpfs tvm-run /var/run; mkdir -p {ServiceAccountDirectory}; "
        + $"cp \"$1/token\" \"$1/ca.crt\" \"$1/namespace\" {ServiceAccountDirectory}/; shift; exec \"$@\"";

    private static readonly string[] PrivateMounts = ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "--"];

    private static readonly Lazy<Task<bool>> CanMountPrivately = new(ProbePrivateMountsAsync);

    [Fact]
    public async Task Vends_with_the_pods_service_account_and_no_kubeconfig()
    {
        Assert.SkipUnless(await CanMountPrivately.Value, SkipReason);
        var files = Directory.CreateTempSubdirectory("tvm-serviceaccount-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(files.FullName, "token"), upstreams.Kubernetes.CallerToken, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(files.FullName, "ca.crt"), upstreams.Kubernetes.CertificateAuthorityPem, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(files.FullName, "namespace"), "tvm", TestContext.Current.CancellationToken);
            var environment = TvmProcesses.Environment(upstreams, new Dictionary<string, string?>
            {
                ["KUBECONFIG"] = null,
                // No ~/.kube/config to fall back on either: only the pod's files can reach the API server.
                ["HOME"] = files.FullName,
                ["KUBERNETES_SERVICE_HOST"] = upstreams.Kubernetes.Server.Host,
                ["KUBERNETES_SERVICE_PORT"] = upstreams.Kubernetes.Server.Port.ToString(CultureInfo.InvariantCulture),
                ["TOKEN_AUDIENCES"] = "tvm",
            });

            await using var tvm = TvmProcess.Start(
                TvmProcesses.TvmAssembly, environment, launcher: [.. PrivateMounts, "sh", "-c", MountServiceAccount, "sh", files.FullName]);
            await tvm.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
            using var client = new HttpClient { BaseAddress = tvm.BaseAddress };
            var token = upstreams.Kubernetes.MintProjectedToken("payments", "api", audiences: ["tvm"]);
            using var request = new HttpRequestMessage(HttpMethod.Post, "vend") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

            // The emulator answers a TokenReview only for its caller token, over TLS signed by its CA: a 200 means TVM
            // read both from the service-account directory.
            await response.ShouldBeCredentialsAsync();
            (await tvm.WaitForStdoutLineAsync(
                line => line.Contains("\"Namespace\":\"payments\"", StringComparison.Ordinal) && line.Contains("\"StatusCode\":200", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10))).Should().BeTrue("the outcome line names the workload");
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    private static async Task<bool> ProbePrivateMountsAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var probe = new ProcessStartInfo(PrivateMounts[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in PrivateMounts.Skip(1).Concat(["sh", "-c", "mount -t tmpfs tvm-run /var/run"]))
        {
            probe.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(probe)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return process.ExitCode == 0;
            }
            catch (OperationCanceledException)
            {
                // A probe that hangs is an answer too; it must not outlive the test run.
                process.Kill(entireProcessTree: true);
                return false;
            }
        }
    }
}
