using Cerberus.ChatOps.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// Deletes handled inbox entries older than <see cref="SlackOptions.InboxRetention"/> (≥ 10 min, longer than Slack's
/// last retry at ~5 min), and Sent outbox items older than that same dedupe window, once a minute, off the request
/// path. Pending, InFlight and Dead outbox items stay, and so do message refs (later items still find their message).
/// </summary>
internal sealed partial class SlackInboxPruner(
    IServiceScopeFactory scopes,
    IOptionsMonitor<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackInboxPruner> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    internal async Task PruneOnceAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - options.CurrentValue.InboxRetention;
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<IInboxStore>().PruneAsync(before, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PruneFailed(logger, ex);
        }

        try
        {
            await scope.ServiceProvider.GetRequiredService<IOutboxStore>().PruneSentAsync(before, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.OutboxPruneFailed(logger, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PruneOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Pruning the Slack inbox failed; will retry in a minute")]
        public static partial void PruneFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Pruning sent outbox items failed; will retry in a minute")]
        public static partial void OutboxPruneFailed(ILogger logger, Exception exception);
    }
}
