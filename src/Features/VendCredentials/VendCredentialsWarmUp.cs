namespace Tvm.Features.VendCredentials;

/// <summary>
/// Builds the handler and its clients in the background shortly after TVM starts serving, so that neither the
/// first health probes nor the first caller wait for it. A failure here is not fatal: the first /vend meets it
/// again and answers it.
/// </summary>
internal sealed partial class VendCredentialsWarmUp(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<VendCredentialsWarmUp> logger) : BackgroundService
{
    // Building the clients takes about 100 ms of CPU; done at once, it competes with the first health probes and
    // delays readiness by about as much. A pod gets traffic only after its readiness probe has passed and the
    // endpoint change has spread through the cluster, so a second's wait still has the clients ready first.
    private static readonly TimeSpan HeadStartForProbes = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenServingAsync(stoppingToken);
            await Task.Delay(HeadStartForProbes, clock, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _ = services.GetRequiredService<VendCredentialsHandler>();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            WarmUpFailed(e.GetType().Name);
        }
    }

    private async Task WhenServingAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Preparing the Kubernetes and STS clients failed ({ExceptionType}); the first /vend will try again")]
    private partial void WarmUpFailed(string exceptionType);
}
