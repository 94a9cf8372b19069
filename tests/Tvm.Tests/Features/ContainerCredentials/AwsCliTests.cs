using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Features.ContainerCredentials;

/// <summary>
/// The AWS CLI v2 (Debian's awscli package, which .ci/run installs) fetching credentials from a TVM process with
/// only the container-credentials variables set. Skipped, saying why, where no v2 CLI is installed.
/// </summary>
public sealed class AwsCliTests(Upstreams upstreams) : IAsyncLifetime
{
    private static readonly Lazy<string?> CliV2 = new(FindCliV2);
    private readonly string _tokenFile = TemplateFiles.Write("");
    private TvmProcess? _tvm;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_tvm is not null)
        {
            await _tvm.DisposeAsync();
        }
    }

    [Fact]
    public async Task Export_credentials_gives_what_sts_issued_through_tvm()
    {
        var cli = await StartTvmAndFindCliAsync();

        var (exitCode, stdout, stderr) = await RunAsync(cli, "configure", "export-credentials", "--format", "process");

        exitCode.Should().Be(0, stderr);
        var exported = JsonDocument.Parse(stdout).RootElement;
        var issued = upstreams.Sts.Calls.Should().ContainSingle().Subject.Issued!;
        exported.GetProperty("AccessKeyId").GetString().Should().Be(issued.AccessKeyId);
        exported.GetProperty("SecretAccessKey").GetString().Should().Be(issued.SecretAccessKey);
        exported.GetProperty("SessionToken").GetString().Should().Be(issued.SessionToken);
    }

    [Fact]
    public async Task Get_caller_identity_signs_with_the_vended_session()
    {
        var cli = await StartTvmAndFindCliAsync();

        var (exitCode, stdout, stderr) = await RunAsync(cli, "sts", "get-caller-identity", "--endpoint-url", upstreams.Sts.Endpoint.ToString());

        exitCode.Should().Be(0, stderr);
        JsonDocument.Parse(stdout).RootElement.GetProperty("Arn").GetString().Should().EndWith("assumed-role/tvm-workloads/api.web");
    }

    private async Task<string> StartTvmAndFindCliAsync()
    {
        Assert.SkipWhen(CliV2.Value is null, "No AWS CLI v2 is installed (Debian's awscli package; .ci/run installs it).");
        await File.WriteAllTextAsync(_tokenFile, upstreams.Kubernetes.MintProjectedToken("api", "web"), TestContext.Current.CancellationToken);
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams);
        return CliV2.Value!;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string cli, params string[] arguments)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL_STS", "AWS_EC2_METADATA_DISABLED" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = new Uri(_tvm!.BaseAddress, "v1/credentials").ToString();
        start.Environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = _tokenFile;

        // CLI releases before 2.15 read only the token itself, not the file.
        start.Environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = await File.ReadAllTextAsync(_tokenFile, TestContext.Current.CancellationToken);
        start.Environment["AWS_REGION"] = start.Environment["AWS_DEFAULT_REGION"] = Upstreams.Region;
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials";
        start.Environment["AWS_PAGER"] = "";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The first <c>aws</c> on PATH, or Debian's, that is the v2 CLI (v1 has no export-credentials).</summary>
    private static string? FindCliV2()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "aws"))
            .Append("/usr/bin/aws")
            .Where(File.Exists)
            .Distinct(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            try
            {
                using var version = Process.Start(new ProcessStartInfo(candidate, "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
                var text = version.StandardOutput.ReadToEnd() + version.StandardError.ReadToEnd();
                version.WaitForExit(30_000);
                if (text.StartsWith("aws-cli/2.", StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not runnable; try the next.
            }
        }

        return null;
    }
}
