using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tvm.Emulators.Hosting;
using Tvm.Emulators.Kubernetes;
using Tvm.Emulators.Sts;

namespace Tvm.Sandbox;

/// <summary>
/// TVM wired to local Kubernetes API and STS emulators: vends once to show the whole path, then keeps running
/// with a ready-to-paste curl. Nothing leaves 127.0.0.1.
/// Usage: dotnet run --project tests/Tvm.Sandbox [-- --port 8000 (0: any free port)] [--once]
/// </summary>
internal static class Sandbox
{
    private const string Audience = "tvm";
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<int> Main(string[] args)
    {
        var once = args.Contains("--once");
        var port = PortArgument(args) ?? 8000;
        if (port == 0)
        {
            port = TvmProcess.FreePort();
        }


        // METRICS_PORT=0 in the sandbox's own environment turns metrics off, as it does for TVM.
        var metricsPort = int.TryParse(Environment.GetEnvironmentVariable("METRICS_PORT"), CultureInfo.InvariantCulture, out var chosen) ? chosen : TvmProcess.FreePort();
        await using var kubernetes = await KubernetesApiEmulator.StartAsync();
        await using var sts = await StsEmulator.StartAsync();
        var policyTemplate = Path.Combine(AppContext.BaseDirectory, "policy.json");

        Console.WriteLine($"Kubernetes API emulator: {kubernetes.Server} (kubeconfig {kubernetes.KubeconfigPath})");
        Console.WriteLine($"STS emulator:            {sts.Endpoint} (role {sts.RoleArn})");
        Console.WriteLine($"Policy template:         {policyTemplate}");
        Console.WriteLine("Starting TVM; its JSON logs follow.");

        await using var tvm = TvmProcess.Start(Path.Combine(AppContext.BaseDirectory, "Tvm.dll"), new Dictionary<string, string?>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["AWS_ROLE_ARN"] = sts.RoleArn,
            ["AWS_REGION"] = sts.Region,
            ["AWS_ENDPOINT_URL_STS"] = sts.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = sts.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = sts.SecretAccessKey,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["KUBECONFIG"] = kubernetes.KubeconfigPath,
            ["POLICY_TEMPLATE_PATH"] = policyTemplate,
            ["TOKEN_AUDIENCES"] = Audience,
            ["METRICS_PORT"] = metricsPort.ToString(CultureInfo.InvariantCulture),
            ["SHUTDOWN_DELAY_SECONDS"] = "0",
            ["LOG_LEVEL"] = Environment.GetEnvironmentVariable("LOG_LEVEL") ?? "INFO",
        }, line => Console.WriteLine($"  tvm | {line}"));

        try
        {
            await tvm.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"TVM did not start: {e.Message}");
            return 1;
        }

        var vended = await VendOnceAsync(tvm, kubernetes, sts);
        if (!vended)
        {
            return 1;
        }

        var token = kubernetes.MintProjectedToken("team-a", "worker", audiences: [Audience], lifetime: TimeSpan.FromHours(24), podName: "worker-0");
        var tokenFolder = Directory.CreateTempSubdirectory("tvm-sandbox-");
        var tokenFile = Path.Combine(tokenFolder.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, token);
        Console.WriteLine();
        Console.WriteLine("Try it yourself (a fresh projected token for team-a/worker, valid 24 h):");
        Console.WriteLine();
        Console.WriteLine($"  curl -sS -X POST {tvm.BaseAddress}vend -H 'Authorization: Bearer {token}'");
        Console.WriteLine();
        Console.WriteLine("Or let any AWS SDK or the AWS CLI fetch and refresh credentials through TVM on its own; paste into a shell:");
        Console.WriteLine();
        Console.WriteLine($"  export AWS_CONTAINER_CREDENTIALS_FULL_URI={tvm.BaseAddress}v1/credentials");
        Console.WriteLine($"  export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={tokenFile}");
        Console.WriteLine($"  export AWS_REGION={sts.Region} AWS_DEFAULT_REGION={sts.Region}");
        Console.WriteLine("  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE");
        Console.WriteLine($"  aws sts get-caller-identity --endpoint-url {sts.Endpoint}   # the STS emulator; in a cluster, leave it out");
        Console.WriteLine();
        Console.WriteLine("  (AWS CLI versions before 2.15 do not read the token file: export AWS_CONTAINER_AUTHORIZATION_TOKEN=\"$(cat \"$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\")\" as well.)");
        Console.WriteLine();
        if (once)
        {
            tokenFolder.Delete(recursive: true);
            return 0;
        }

        if (metricsPort != 0)
        {
            Console.WriteLine($"Prometheus metrics: http://127.0.0.1:{metricsPort}/metrics");
        }

        Console.WriteLine("Press Ctrl+C to stop.");

        // Ctrl+C and SIGTERM (as `timeout` or a process manager send it) both stop TVM and the emulators cleanly.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Stopping.");
        }

        tokenFolder.Delete(recursive: true);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<bool> VendOnceAsync(TvmProcess tvm, KubernetesApiEmulator kubernetes, StsEmulator sts)
    {
        var token = kubernetes.MintProjectedToken("api", "web", audiences: [Audience], podName: "web-0");
        Console.WriteLine();
        Console.WriteLine("Vending for service account api/web with a projected token (audience 'tvm'):");
        Console.WriteLine($"  curl -sS -X POST {tvm.BaseAddress}vend -H \"Authorization: Bearer $TOKEN\"");

        using var client = new HttpClient { BaseAddress = tvm.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "vend");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var pretty = JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement, Indented);

        Console.WriteLine($"  HTTP {(int)response.StatusCode}");
        Console.WriteLine(string.Join(Environment.NewLine, pretty.Split('\n').Select(line => "  " + line.TrimEnd('\r'))));
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        var call = sts.Calls[^1];
        Console.WriteLine($"STS saw AssumeRole with RoleSessionName '{call.RoleSessionName}' and this session policy:");
        Console.WriteLine($"  {call.Policy}");

        // The AWS SDKs' way: the token file's content as the whole Authorization header, no scheme.
        Console.WriteLine();
        Console.WriteLine("The same through the container-credentials endpoint, as every AWS SDK calls it:");
        Console.WriteLine($"  curl -sS {tvm.BaseAddress}v1/credentials -H \"Authorization: $TOKEN\"");
        using var container = new HttpRequestMessage(HttpMethod.Get, "v1/credentials");
        container.Headers.TryAddWithoutValidation("Authorization", token);
        using var containerResponse = await client.SendAsync(container);
        var containerBody = await containerResponse.Content.ReadAsStringAsync();
        Console.WriteLine($"  HTTP {(int)containerResponse.StatusCode}");
        Console.WriteLine(string.Join(Environment.NewLine, JsonSerializer.Serialize(JsonDocument.Parse(containerBody).RootElement, Indented).Split('\n').Select(line => "  " + line.TrimEnd('\r'))));
        return containerResponse.IsSuccessStatusCode;
    }

    private static int? PortArgument(string[] args)
    {
        var index = Array.IndexOf(args, "--port");
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var port) ? port : null;
    }
}
