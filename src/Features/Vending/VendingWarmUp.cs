namespace Tvm.Features.VendCredentials;

/// <summary>
/// Builds the handler and its clients (kubeconfig, AWS SDK: about 100 ms of CPU) off the request path: a second
/// after TVM starts serving, or at once when the first /vend arrives sooner. Waiting that second keeps the build
/// from competing with the first health probes; a pod gets traffic only after its readiness probe has passed and
/// the endpoint change has spread, which usually takes longer. Callers that arrive during the build await it
/// without holding a thread, so a burst of first requests cannot starve the thread pool. A failed build is not
/// fatal: resolving the handler meets the failure again, and the first /vend answers it.
/// </summary>
internal sealed partial class VendCredentialsWarmUp(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<VendCredentialsWarmUp> logger) : BackgroundService
{
    private static readonly TimeSpan HeadStartForProbes = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _wanted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts the build if it has not started, and completes when it has finished, successfully or not.</summary>
    public Task WhenFinishedAsync()
    {
        if (!_finished.Task.IsCompleted)
        {
            _wanted.TrySetResult();
        }

        return _finished.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAny(HeadStartAsync(stoppingToken), _wanted.Task).Unwrap();
            _ = services.GetRequiredService<VendCredentialsHandler>();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            WarmUpFailed(e.GetType().Name);
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    private async Task HeadStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        await Task.Delay(HeadStartForProbes, clock, stoppingToken);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Preparing the Kubernetes and STS clients failed ({ExceptionType}); the first /vend will try again")]
    private partial void WarmUpFailed(string exceptionType);
}
