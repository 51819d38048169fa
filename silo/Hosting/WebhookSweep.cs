using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// Wakes every project outbox that holds webhooks (<see cref="IWebhookIndexGrain"/>): soon after the silo starts, then
/// every <see cref="Period"/>. An outbox whose silo died (or a whole process killed while webhooks waited) is activated
/// again on a live silo, loads what it stored and sends what is due: the delivery guarantee does not wait for the
/// project's next request. Every silo runs it; the wake of an outbox that is already active costs one call.
/// </summary>
public sealed partial class WebhookSweep(IGrainFactory grains, ILogger<WebhookSweep> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan First = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = First;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, stoppingToken);
                await grains.GetGrain<IWebhookIndexGrain>(IWebhookIndexGrain.Key).WakeAllAsync().WaitAsync(stoppingToken);
                wait = Period;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The silo may not have joined yet, or storage not answer: the next round tries again.
                LogSweepFailed(logger, exception);
                wait = Period;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waking the webhook outboxes failed; trying again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
