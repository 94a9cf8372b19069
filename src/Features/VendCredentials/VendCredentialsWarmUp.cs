namespace Tvm.Features.VendCredentials;

/// <summary>
/// Builds the handler and its clients in the background once the host starts, so that neither start-up nor
/// the first caller waits for it. A failure here is not fatal: the first /vend meets it again and answers it.
/// </summary>
internal sealed partial class VendCredentialsWarmUp(IServiceProvider services, ILogger<VendCredentialsWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            _ = services.GetRequiredService<VendCredentialsHandler>();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            WarmUpFailed(e.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Preparing the Kubernetes and STS clients failed ({ExceptionType}); the first /vend will try again")]
    private partial void WarmUpFailed(string exceptionType);
}
