using System.Net.Sockets;
using System.Text;
using Tvm.Emulators.Hosting;

namespace Tvm.Tests.Features.Vending;

/// <summary>
/// Thousands of malformed requests to both credential endpoints, written byte by byte to a real socket: odd
/// Authorization headers and tokens, request ids, methods, paths, bodies and content types. Every one must get an
/// answer that is not a 5xx, and TVM must be healthy afterwards.
/// </summary>
public sealed class RawRequestFuzzTests(Upstreams upstreams) : IAsyncLifetime
{
    private const int Requests = 2500;
    private const int Seed = 20261130;

    private TvmProcess? _tvm;

    public async ValueTask InitializeAsync() =>
        _tvm = await TvmProcesses.StartHealthyAsync(upstreams, new Dictionary<string, string?> { ["LOG_LEVEL"] = "WARNING" });

    public async ValueTask DisposeAsync()
    {
        if (_tvm is not null)
        {
            await _tvm.DisposeAsync();
        }
    }

    [Fact]
    public async Task Malformed_requests_never_get_a_5xx_or_an_unanswered_connection()
    {
        var generator = new RequestGenerator(new Random(Seed), upstreams.Kubernetes.MintProjectedToken("api", "web"));
        var requests = Enumerable.Range(0, Requests).Select(_ => generator.Next()).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken }, async (request, ct) =>
        {
            var status = await SendAsync(request.Bytes, ct);
            statuses.AddOrUpdate(status, 1, (_, count) => count + 1);
            if (status is < 100 or >= 500)
            {
                failures.Add($"{(status < 100 ? "no answer" : status.ToString(System.Globalization.CultureInfo.InvariantCulture))} for {request.Description}");
            }
        });

        failures.Should().BeEmpty(string.Join(Environment.NewLine, failures.Take(20).Concat(_tvm!.StdoutLines.Where(l => l.Contains("503", StringComparison.Ordinal) || l.Contains("\"Level\":\"Error\"", StringComparison.Ordinal)).Take(10))));
        statuses.Keys.Should().Contain([200, 401], "the generator reaches both the success path and the refusals");
        using var client = new HttpClient { BaseAddress = _tvm!.BaseAddress };
        (await client.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);
        _tvm.HasExited.Should().BeFalse();
        _tvm.StdoutLines.Should().NotContain(line => line.Contains("\"Level\":\"Error\"", StringComparison.Ordinal) && !line.Contains("\"StatusCode\":", StringComparison.Ordinal),
            "no request may reach an unhandled exception");
    }

    /// <summary>Writes the raw request and reads the status code of the answer; 0 when the connection closed unanswered.</summary>
    private async Task<int> SendAsync(byte[] request, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await tcp.ConnectAsync(IPAddress.Loopback, _tvm!.Port, timeout.Token);
        var stream = tcp.GetStream();
        try
        {
            // No half-close: Kestrel takes the end of the input for a client that went away and may not answer.
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before reading a large body; the answer is still there to read.
        }

        var buffer = new byte[12];
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (IOException)
        {
        }

        var statusLine = Encoding.ASCII.GetString(buffer, 0, read);
        return statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(statusLine.AsSpan(9, 3), out var status) ? status : 0;
    }

    private sealed record RawRequest(byte[] Bytes, string Description);

    private sealed class RequestGenerator(Random random, string validToken)
    {
        private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "get", "P0ST", "GET GET", ""];
        private static readonly string[] Paths =
        [
            "/vend", "/v1/credentials", "/vend/", "/v1/credentials/", "/VEND", "/v1/Credentials", "/vend?x=1", "/v1/credentials?%zz",
            "/vend%00", "//vend", "/./vend", "/v1/../vend", "/v1/credentials#frag", "*", "/" + new string('a', 3000), "/vend/%2e%2e/healthz",
        ];
        private static readonly string[] ContentTypes =
        [
            "application/json", "application/json; charset=utf-7", "application/json; charset=nonsense", "application/json; charset=utf-16",
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data", "application/xml",
            ";;;", "application/json; charset=\"", "application/problem+json", "*/*", "application/merge-patch+json",
        ];
        private static readonly string[] Bodies =
        [
            "", "{}", "{", "[1,2", "null", "\"x\"", "{\"a\":" + new string('[', 500), "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n",
            "a=b&c=%zz", "\u00ff\u00fe{}", "<xml/>", new string('x', 70 * 1024),
        ];

        public RawRequest Next()
        {
            var method = Pick(Methods);
            var path = Pick(Paths);
            var authorization = Authorization();
            var requestId = random.Next(4) == 0 ? Pick(["", new string('r', 129), "ok-id", "bad id", "\u00e9", "a\tb", "x;y", new string('q', 8000)]) : null;
            var contentType = random.Next(2) == 0 ? Pick(ContentTypes) : null;
            var body = random.Next(3) == 0 ? Pick(Bodies) : "";
            var declaredLength = random.Next(12) switch
            {
                0 => "-1",
                1 => "abc",
                2 => null,
                _ => Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };

            // Kestrel answers broken framing with a 400 and closes at once; bytes it never read would turn that
            // close into a reset that can destroy its answer before the client reads it.
            if (declaredLength is "-1" or "abc" or null)
            {
                body = "";
            }

            var text = new StringBuilder();
            text.Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (authorization is not null)
            {
                text.Append("Authorization: ").Append(authorization).Append("\r\n");
            }

            if (requestId is not null)
            {
                text.Append("X-Request-ID: ").Append(requestId).Append("\r\n");
            }

            if (contentType is not null)
            {
                text.Append("Content-Type: ").Append(contentType).Append("\r\n");
            }

            if (random.Next(10) == 0)
            {
                text.Append("Transfer-Encoding: chunked\r\n\r\n").Append(random.Next(2) == 0 ? "zz\r\n" : "3\r\nabc\r\n0\r\n\r\n");
            }
            else
            {
                if (declaredLength is not null)
                {
                    text.Append("Content-Length: ").Append(declaredLength).Append("\r\n");
                }

                text.Append("\r\n").Append(body);
            }

            var description = $"{method} {path} auth={Describe(authorization)} id={requestId?.Length} type={contentType} body={body.Length} length={declaredLength}";
            return new RawRequest(Encoding.UTF8.GetBytes(text.ToString()), description);
        }

        private string? Authorization()
        {
            var token = random.Next(6) switch
            {
                0 => validToken,
                1 => Mutate(validToken),
                2 => validToken[..random.Next(validToken.Length)],
                3 => new string('a', random.Next(16 * 1024 - 10, 17 * 1024)),
                4 => RandomText(random.Next(1, 200)),
                _ => "",
            };
            return random.Next(8) switch
            {
                0 => null,
                1 => "",
                2 => "Bearer",
                3 => "bEaReR " + token,
                4 => "Basic " + token,
                5 => token,
                6 => "Bearer  " + token + "  ",
                _ => "Bearer " + token,
            };
        }

        private string Mutate(string token)
        {
            var characters = token.ToCharArray();
            for (var i = 0; i < 1 + random.Next(5); i++)
            {
                characters[random.Next(characters.Length)] = (char)random.Next(33, 127);
            }

            return new string(characters);
        }

        private string RandomText(int length)
        {
            var characters = new char[length];
            for (var i = 0; i < length; i++)
            {
                characters[i] = random.Next(10) == 0 ? (char)random.Next(0x80, 0x2FF) : (char)random.Next(32, 127);
            }

            return new string(characters);
        }

        private T Pick<T>(T[] values) => values[random.Next(values.Length)];

        private static string Describe(string? authorization) => authorization is null ? "none" : $"{authorization.Length} chars";
    }
}
