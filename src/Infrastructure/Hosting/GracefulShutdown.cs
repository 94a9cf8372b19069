namespace Tvm.Infrastructure.Hosting;

/// <summary>
/// On SIGTERM, readiness fails at once while TVM keeps serving for SHUTDOWN_DELAY_SECONDS: long enough for the
/// endpoint change to reach every kube-proxy and ingress, so no new request is sent to a pod that is going away.
/// Then the server stops accepting and finishes what is in flight, within <see cref="InFlightAllowance"/>.
/// </summary>
public sealed partial class GracefulShutdown(IOptions<TvmOptions> options, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    /// <summary>Enough for a request whose two upstream calls each run into their deadline, with room to spare.</summary>
    public static readonly TimeSpan InFlightAllowance = TimeSpan.FromSeconds(20);

    private volatile bool _stopping;

    /// <summary>True from the moment TVM is asked to stop.</summary>
    public bool IsStopping => _stopping;

    // Lifecycle services are told to stop before any service stops, the web server included.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var delay = TimeSpan.FromSeconds(options.Value.ShutdownDelaySeconds);
        ShuttingDown(delay.TotalSeconds);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, CancellationToken.None);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Stopping: /readyz now answers 503; serving on for {DelaySeconds} s, then finishing requests in flight")]
    private partial void ShuttingDown(double delaySeconds);
}
