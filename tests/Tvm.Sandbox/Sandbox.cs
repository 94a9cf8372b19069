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

        if (once)
        {
            return 0;
        }

        var token = kubernetes.MintProjectedToken("team-a", "worker", audiences: [Audience], lifetime: TimeSpan.FromHours(24), podName: "worker-0");
        Console.WriteLine();
        Console.WriteLine("Try it yourself (a fresh projected token for team-a/worker, valid 24 h):");
        Console.WriteLine();
        Console.WriteLine($"  curl -sS -X POST {tvm.BaseAddress}vend -H 'Authorization: Bearer {token}'");
        Console.WriteLine();
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
        return true;
    }

    private static int? PortArgument(string[] args)
    {
        var index = Array.IndexOf(args, "--port");
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var port) ? port : null;
    }
}
