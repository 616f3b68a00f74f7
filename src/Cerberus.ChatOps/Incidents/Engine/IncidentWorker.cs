using System.Collections.Concurrent;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Slack.Inbound;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Drains the durable inbox in arrival order. A request that fails is tried again (a store hiccup must not lose
/// it), three times at most; then the user is told and it is set aside.
/// </summary>
internal sealed partial class IncidentWorker(
    IInboxStore inbox,
    InboundDispatcher dispatcher,
    IInboundSignal signal,
    ProcessLease lease,
    ILogger<IncidentWorker> logger) : BackgroundService
{
    private const int MaxAttempts = 3;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<InboundItem> items;
            try
            {
                // With several replicas one drains the inbox (in order); the others only accept requests.
                items = await lease.TryHoldAsync(ProcessLease.Inbox, TimeSpan.FromMinutes(1), stoppingToken)
                    ? await inbox.ListPendingAsync(50, stoppingToken)
                    : [];
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.InboxUnavailable(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }

            foreach (var item in items)
            {
                await ProcessAsync(item, stoppingToken);
            }

            if (items.Count == 0)
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task ProcessAsync(InboundItem item, CancellationToken stoppingToken)
    {
        try
        {
            await dispatcher.DispatchAsync(item, stoppingToken);
            await inbox.MarkDoneAsync(item.Key, stoppingToken);
            _attempts.TryRemove(item.Key, out _);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            var attempts = _attempts.AddOrUpdate(item.Key, 1, (_, n) => n + 1);
            Log.Failed(logger, ex, item.Kind, item.Key, attempts);
            if (attempts >= MaxAttempts)
            {
                await inbox.MarkDoneAsync(item.Key, stoppingToken);
                _attempts.TryRemove(item.Key, out _);
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempts), stoppingToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Handling inbound {Kind} {Key} failed (attempt {Attempt})")]
        public static partial void Failed(ILogger logger, Exception exception, string kind, string key, int attempt);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The inbox is not readable; retrying")]
        public static partial void InboxUnavailable(ILogger logger, Exception exception);
    }
}
