using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Tvm.Emulators.Sts;

/// <summary>
/// An AWS STS stand-in on 127.0.0.1 that speaks the real AWS Query protocol, so the unmodified AWS SDK can call it
/// (point <c>AWS_ENDPOINT_URL_STS</c> or <c>ServiceURL</c> at <see cref="Endpoint"/>). It verifies SigV4 signatures,
/// validates AssumeRole like STS, issues realistic temporary credentials, answers GetCallerIdentity for the base
/// credentials and for credentials it issued, and can inject faults and latency. See README.md for the exact rules.
/// </summary>
public sealed class StsEmulator : IAsyncDisposable
{
    private const string ApiVersion = "2011-06-15";
    private const long MaxBodyBytes = 1024 * 1024;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly StsEmulatorOptions _options;
    private readonly WebApplication _app;
    private readonly EmulatedRole _role;
    private readonly SessionCredentialMinter _minter = new();
    private readonly CallerDirectory _callers;
    private readonly SigV4Verifier _verifier;
    private readonly AssumeRoleValidator _validator;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly Lock _callsLock = new();
    private readonly List<AssumeRoleRecord> _calls = [];
    private Uri? _endpoint;
    private int _fault;
    private long _latencyTicks;
    private int _assumeRoleCount;
    private int _disposed;

    private StsEmulator(StsEmulatorOptions options)
    {
        _options = options;
        _stoppingToken = _stopping.Token;
        _role = new EmulatedRole(options.AccountId, options.RoleName) { TrustAllowsTagSession = options.RoleTrustAllowsTagSession };
        _callers = new CallerDirectory(options, _role, _minter);
        _verifier = new SigV4Verifier(_callers, _time);
        _validator = new AssumeRoleValidator(_role, options.MaxSessionDurationSeconds);

        // The empty builder reads no configuration, environment variables or appsettings, and logs nowhere.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>Starts an emulator on a free port of 127.0.0.1.</summary>
    public static async Task<StsEmulator> StartAsync(StsEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StsEmulatorOptions();
        ValidateOptions(options);

        var emulator = new StsEmulator(options);
        try
        {
            await emulator._app.StartAsync(cancellationToken).ConfigureAwait(false);
            emulator._endpoint = new Uri(emulator._app.Urls.Single().TrimEnd('/') + "/");
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>: the value for <c>AWS_ENDPOINT_URL_STS</c> or <c>ServiceURL</c>.</summary>
    public Uri Endpoint => _endpoint ?? throw new InvalidOperationException("The emulator has not started.");

    /// <summary>Access key id of the base credentials the emulator accepts.</summary>
    public string AccessKeyId => _options.AccessKeyId;

    /// <summary>Secret of the base credentials; signatures are verified against it.</summary>
    public string SecretAccessKey => _options.SecretAccessKey;

    public string AccountId => _options.AccountId;

    public string Region => _options.Region;

    /// <summary>The only role that exists: <c>arn:aws:iam::ACCOUNT:role/NAME</c>.</summary>
    public string RoleArn => _role.Arn;

    /// <summary>ARN of the IAM user the base credentials belong to, as it appears in AccessDenied messages.</summary>
    public string UserArn => _callers.User.Arn;

    /// <summary>
    /// Whether the role's trust policy allows <c>sts:TagSession</c>; when it does not, an AssumeRole that passes session
    /// tags is refused with 403 <c>AccessDenied</c>. May be switched at any time from any thread.
    /// </summary>
    public bool RoleTrustAllowsTagSession
    {
        get => _role.TrustAllowsTagSession;
        set => _role.TrustAllowsTagSession = value;
    }

    /// <summary>Fault injected into AssumeRole answers; may be switched at any time from any thread.</summary>
    public StsFault Fault
    {
        get => (StsFault)Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, (int)value);
    }

    /// <summary>Delay added before every answer, to model the network and service time of real STS.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>AssumeRole requests whose signature checked out, whatever they were answered, injected faults included.</summary>
    public int AssumeRoleCount => Volatile.Read(ref _assumeRoleCount);

    /// <summary>
    /// A snapshot of every AssumeRole request received, in the order they were decided, including those refused for
    /// their signature (which <see cref="AssumeRoleCount"/> leaves out).
    /// </summary>
    public IReadOnlyList<AssumeRoleRecord> Calls
    {
        get
        {
            lock (_callsLock)
            {
                return _calls.ToArray();
            }
        }
    }

    /// <summary>Zeroes <see cref="AssumeRoleCount"/> and empties <see cref="Calls"/>. Issued credentials stay valid.</summary>
    public void ResetCounters()
    {
        lock (_callsLock)
        {
            _calls.Clear();
            Interlocked.Exchange(ref _assumeRoleCount, 0);
        }
    }

    /// <summary>Stops listening; requests held by <see cref="StsFault.Hang"/> or <see cref="Latency"/> are aborted at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Whatever is still running after the timeout is dropped by DisposeAsync below.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        // The raw target keeps the client's own percent-encoding, which the signature covers.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var body = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var parameters = ReadParameters(context.Request, rawTarget, body);

        var reply = Decide(context.Request, rawTarget, body, parameters, requestId);
        if (reply is null)
        {
            await DelayAsync(context, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            return;
        }

        var latency = Latency;
        if (latency > TimeSpan.Zero && !await DelayAsync(context, latency).ConfigureAwait(false))
        {
            return;
        }

        var response = context.Response;
        var bytes = Encoding.UTF8.GetBytes(reply.Body);
        response.StatusCode = reply.StatusCode;
        response.ContentType = "text/xml";
        response.ContentLength = bytes.Length;
        response.Headers["x-amzn-RequestId"] = requestId;
        await response.Body.WriteAsync(bytes).ConfigureAwait(false);
    }

    /// <summary>Works out the answer; null means the request is to be held (<see cref="StsFault.Hang"/>).</summary>
    private StsReply? Decide(HttpRequest request, string rawTarget, byte[] body, Dictionary<string, string> parameters, string requestId)
    {
        var action = parameters.GetValueOrDefault("Action");
        if (action == "AssumeRole")
        {
            return DecideAssumeRole(request, rawTarget, body, parameters, requestId);
        }

        if (!_verifier.TryVerify(request, rawTarget, body, out var caller, out var error))
        {
            return StsReply.Failure(requestId, error);
        }

        if (ActionError(action, parameters) is { } actionError)
        {
            return StsReply.Failure(requestId, actionError);
        }

        // ActionError lets only AssumeRole (handled above) and GetCallerIdentity through.
        return StsReply.Success(StsXml.GetCallerIdentityResponse(requestId, caller));
    }

    private StsReply? DecideAssumeRole(HttpRequest request, string rawTarget, byte[] body, Dictionary<string, string> parameters, string requestId)
    {
        var assumeRole = AssumeRoleParameters.From(parameters);
        var receivedAt = _time.GetUtcNow();

        if (!_verifier.TryVerify(request, rawTarget, body, out var caller, out var error))
        {
            return Refuse(assumeRole, receivedAt, requestId, error);
        }

        Interlocked.Increment(ref _assumeRoleCount);
        if (ActionError("AssumeRole", parameters) is { } versionError)
        {
            return Refuse(assumeRole, receivedAt, requestId, versionError);
        }

        switch (Fault)
        {
            case StsFault.Throttle:
                return Refuse(assumeRole, receivedAt, requestId, StsError.Throttling);
            case StsFault.AccessDenied:
                return Refuse(assumeRole, receivedAt, requestId, StsError.AccessDenied(caller.Arn, assumeRole.RoleArn ?? _role.Arn));
            case StsFault.ServerError:
                return Refuse(assumeRole, receivedAt, requestId, StsError.InternalFailure);
            case StsFault.Hang:
                Record(assumeRole, receivedAt, errorCode: null, issued: null);
                return null;
            case StsFault.None:
            default:
                break;
        }

        if (!_validator.TryGrant(assumeRole, caller, out var grant, out error))
        {
            return Refuse(assumeRole, receivedAt, requestId, error);
        }

        // STS states Expiration in whole seconds; keeping the record identical to what the client parses.
        var expiration = DateTimeOffset.FromUnixTimeSeconds(receivedAt.ToUnixTimeSeconds() + grant.DurationSeconds);
        var issued = _minter.Mint(grant.SessionName, expiration);
        Record(assumeRole, receivedAt, errorCode: null, issued);
        return StsReply.Success(StsXml.AssumeRoleResponse(requestId, _role, grant, issued));
    }

    private static StsError? ActionError(string? action, Dictionary<string, string> parameters)
    {
        if (string.IsNullOrEmpty(action))
        {
            return StsError.MissingAction;
        }

        var version = parameters.GetValueOrDefault("Version");
        if (version is not null && version != ApiVersion)
        {
            return StsError.InvalidAction(action, version);
        }

        return action is "AssumeRole" or "GetCallerIdentity" ? null : StsError.InvalidAction(action, version ?? ApiVersion);
    }

    private StsReply Refuse(AssumeRoleParameters assumeRole, DateTimeOffset receivedAt, string requestId, StsError error)
    {
        Record(assumeRole, receivedAt, error.Code, issued: null);
        return StsReply.Failure(requestId, error);
    }

    private void Record(AssumeRoleParameters assumeRole, DateTimeOffset receivedAt, string? errorCode, IssuedCredentials? issued)
    {
        var record = new AssumeRoleRecord(
            assumeRole.RoleArn ?? "",
            assumeRole.RoleSessionName ?? "",
            assumeRole.DurationAsInteger,
            assumeRole.Policy,
            errorCode,
            issued,
            receivedAt,
            assumeRole.Tags.Select(tag => new KeyValuePair<string, string>(tag.Key ?? "", tag.Value ?? "")).ToArray());

        lock (_callsLock)
        {
            _calls.Add(record);
        }
    }

    /// <summary>Waits, unless the client gives up or the emulator is disposed; then the connection is aborted.</summary>
    private async Task<bool> DelayAsync(HttpContext context, TimeSpan delay)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stoppingToken);
        try
        {
            await Task.Delay(delay, cancellation.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return false;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and <= MaxBodyBytes)
        {
            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return exact;
        }

        // Unknown or oversized length: Kestrel's MaxRequestBodySize stops the copy with 413.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    // Query protocol parameters may come in the form body (what the SDK sends) or in the query string.
    private static Dictionary<string, string> ReadParameters(HttpRequest request, string rawTarget, byte[] body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            QueryParameters.AddTo(parameters, Encoding.UTF8.GetString(body));
        }

        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            QueryParameters.AddTo(parameters, rawTarget.AsSpan(queryStart + 1));
        }

        return parameters;
    }

    private static void ValidateOptions(StsEmulatorOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AccessKeyId, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SecretAccessKey, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Region, nameof(options));
        if (options.AccountId is not { Length: 12 } || !options.AccountId.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("AccountId must be 12 digits.", nameof(options));
        }

        if (options.RoleName is not { Length: >= 1 and <= 64 }
            || !options.RoleName.All(c => char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c, StringComparison.Ordinal)))
        {
            throw new ArgumentException("RoleName must be 1 to 64 characters of [A-Za-z0-9_+=,.@-] (no path).", nameof(options));
        }

        if (options.MaxSessionDurationSeconds is < 3600 or > 43200)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MaxSessionDurationSeconds, "MaxSessionDurationSeconds must be 3600 to 43200, as IAM allows.");
        }
    }

    private sealed record StsReply(int StatusCode, string Body)
    {
        public static StsReply Success(string xml) => new(200, xml);

        public static StsReply Failure(string requestId, StsError error) => new(error.StatusCode, StsXml.ErrorResponse(requestId, error));
    }
}
