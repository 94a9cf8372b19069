namespace Tvm.Features.Vending;

/// <summary>
/// Builds the <see cref="VendClients"/> (kubeconfig, AWS SDK: about 100 ms of CPU) off the request path: a second
/// after TVM starts serving, or at once when the first vend arrives sooner. Waiting that second keeps the build
/// from competing with the first health probes; a pod gets traffic only after its readiness probe has passed and
/// the endpoint change has spread, which usually takes longer. Callers that arrive during the build await it
/// without holding a thread, so a burst of first requests cannot starve the thread pool. A failed build is not
/// fatal: the next caller builds again and meets the failure itself.
/// </summary>
public sealed partial class VendingWarmUp(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<VendingWarmUp> logger) : BackgroundService
{
    private static readonly TimeSpan HeadStartForProbes = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _wanted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<VendClients> _built = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The clients, once built; starts the build if it has not started.</summary>
    public ValueTask<VendClients> ClientsAsync()
    {
        var built = _built.Task;
        if (built.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult(built.Result);
        }

        _wanted.TrySetResult();
        return new ValueTask<VendClients>(built.IsFaulted ? Task.FromResult(services.GetRequiredService<VendClients>()) : built);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAny(HeadStartAsync(stoppingToken), _wanted.Task).Unwrap();
            _built.TrySetResult(services.GetRequiredService<VendClients>());
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _built.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            WarmUpFailed(e.GetType().Name);
            _built.TrySetException(e);
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

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Preparing the Kubernetes and STS clients failed ({ExceptionType}); the next vend will try again")]
    private partial void WarmUpFailed(string exceptionType);
}
