using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Support;

/// <summary>TVM as its own process, configured only through its environment, as operators run it.</summary>
public static class TvmProcesses
{
    /// <summary>The environment variable that points the process tests at a published build instead of the build output.</summary>
    public const string PublishedBuildVariable = "TVM_PUBLISHED_EXECUTABLE";

    /// <summary>
    /// The build output's Tvm.dll, or the published, trimmed executable the image ships when
    /// <see cref="PublishedBuildVariable"/> names one (CI does), so that trimming cannot remove anything a process test needs.
    /// </summary>
    public static string TvmAssembly { get; } =
        System.Environment.GetEnvironmentVariable(PublishedBuildVariable) is { Length: > 0 } published ? Path.GetFullPath(published) : typeof(Program).Assembly.Location;

    /// <summary>A working configuration against the emulators; <paramref name="overrides"/> set or (with null) remove variables.</summary>
    public static Dictionary<string, string?> Environment(Upstreams upstreams, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ROLE_ARN"] = upstreams.Sts.RoleArn,
            ["AWS_REGION"] = Upstreams.Region,
            ["POLICY_TEMPLATE_PATH"] = TvmApp.ShippedTemplatePath,
            ["KUBECONFIG"] = upstreams.Kubernetes.KubeconfigPath,
            ["AWS_ENDPOINT_URL_STS"] = upstreams.Sts.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = upstreams.Sts.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = upstreams.Sts.SecretAccessKey,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["LOG_LEVEL"] = "DEBUG",
            ["METRICS_PORT"] = "0",
            ["SHUTDOWN_DELAY_SECONDS"] = "0",
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Starts TVM and waits for its first healthy probe.</summary>
    public static async Task<TvmProcess> StartHealthyAsync(Upstreams upstreams, IReadOnlyDictionary<string, string?>? overrides = null, HttpMessageHandler? handler = null)
    {
        var tvm = TvmProcess.Start(TvmAssembly, Environment(upstreams, overrides));
        try
        {
            await tvm.WaitUntilHealthyAsync(TimeSpan.FromSeconds(30), handler, TestContext.Current.CancellationToken);
            return tvm;
        }
        catch
        {
            await tvm.DisposeAsync();
            throw;
        }
    }
}
