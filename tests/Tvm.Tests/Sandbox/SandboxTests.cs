namespace Tvm.Tests.Sandbox;

/// <summary>The README's "run it" command, run once to its first vend.</summary>
public sealed class SandboxTests
{
    [Fact]
    public async Task Sandbox_starts_tvm_and_vends_for_a_sample_identity()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Tvm.Sandbox.dll"), "--once", "--port", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var sandbox = Process.Start(start)!;
        var output = sandbox.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = sandbox.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));

        await sandbox.WaitForExitAsync(timeout.Token);

        var stdout = await output;
        sandbox.ExitCode.Should().Be(0, stdout + await errors);
        stdout.Should().Contain("curl -sS -X POST http://127.0.0.1:")
            .And.Contain("HTTP 200")
            .And.Contain("\"AWS_SESSION_TOKEN\": \"")
            .And.Contain("RoleSessionName 'api.web'")
            .And.Contain("\"Sid\":\"ApiObjects\"")
            .And.Contain("\"AccessKeyId\": \"ASIA")
            .And.Contain("export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:")
            .And.Contain("/v1/credentials")
            .And.Contain("export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/")
            .And.Contain("aws sts get-caller-identity");
    }
}
