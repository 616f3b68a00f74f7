using System.Data.Common;
using System.Text.Json;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Drains the durable inbox in arrival order. Each item is claimed before it is handled (a conditional update in the
/// store, under this process's owner, on the database's clock) and finished only while the claim is still held, so
/// a replica whose inbox lease lapsed mid-batch and the one that took over never handle the same request. An item
/// claimed elsewhere is skipped. A request that fails is tried again (a store hiccup must not lose it), three times
/// at most, counted in the store (a request that kills the process counts too); then the user is told privately
/// (an ephemeral reply through the outbox), a log line and a counter record it, and it is set aside.
/// </summary>
internal sealed partial class IncidentWorker(
    IInboxStore inbox,
    IOutboxStore outbox,
    InboundDispatcher dispatcher,
    InboundSignal signal,
    OutboxSignal outboxSignal,
    ProcessLease lease,
    TimeProvider time,
    ILogger<IncidentWorker> logger) : BackgroundService
{
    public const int MaxAttempts = 3;

    /// <summary>How long a claim keeps other replicas off an item: longer than the slowest request (429 waits included).</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    private const int BatchSize = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One pass over the inbox; returns how many items this worker claimed.</summary>
    internal async Task<int> ProcessOnceAsync(CancellationToken cancellationToken)
    {
        // With several replicas one drains the inbox (in order); the others only accept requests.
        if (!await lease.TryHoldAsync(ProcessLease.Inbox, ProcessLease.WorkerLeaseDuration, cancellationToken))
        {
            return 0;
        }

        var items = await inbox.ListPendingAsync(BatchSize, cancellationToken);
        var claimed = 0;
        foreach (var item in items)
        {
            // Renewed per item, so a slow batch keeps it; a replica that lost it stops here.
            if (claimed > 0 && !await lease.TryHoldAsync(ProcessLease.Inbox, ProcessLease.WorkerLeaseDuration, cancellationToken))
            {
                break;
            }

            if (await inbox.TryClaimAsync(item.Key, lease.Owner, ClaimTimeout, cancellationToken) is not { } mine)
            {
                Log.ClaimedElsewhere(logger, item.Kind, item.Key);
                continue;
            }

            claimed++;
            await ProcessAsync(mine, cancellationToken);
        }

        return claimed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await ProcessOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.InboxUnavailable(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }

            if (claimed == 0)
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>The short reason the user is given: never the exception's message (it may carry secrets).</summary>
    internal static string ReasonFor(Exception exception) => exception switch
    {
        JsonException or NotSupportedException => "the request could not be read",
        TimeoutException or OperationCanceledException => "it timed out",
        ConcurrencyConflictException => "the incident kept changing while it was handled",
        DbException => "the incident store is not available",
        SlackApiException => "a call to Slack it needed failed",
        _ => "an internal error (details are in the bot's log)",
    };

    private async Task ProcessAsync(InboundItem item, CancellationToken stoppingToken)
    {
        if (item.Attempts > MaxAttempts)
        {
            // Claimed that often without ever finishing: each try died with its process (or lost its claim).
            await SetAsideAsync(item, $"it was interrupted {item.Attempts - 1} times", stoppingToken);
            return;
        }

        try
        {
            await dispatcher.DispatchAsync(item, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.Failed(logger, ex, item.Kind, item.Key, item.Attempts);
            var reason = ReasonFor(ex);
            if (item.Attempts >= MaxAttempts)
            {
                await SetAsideAsync(item, reason, stoppingToken);
                return;
            }

            if (!await inbox.ReleaseAsync(item.Key, lease.Owner, reason, stoppingToken))
            {
                Log.ClaimLost(logger, item.Kind, item.Key);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500 * item.Attempts), time, stoppingToken);
            return;
        }

        if (!await inbox.MarkDoneAsync(item.Key, lease.Owner, stoppingToken))
        {
            Log.ClaimLost(logger, item.Kind, item.Key);
        }
    }

    /// <summary>Tells the user first (the reply's id is derived from the key: told once), then sets the item aside.</summary>
    private async Task SetAsideAsync(InboundItem item, string reason, CancellationToken cancellationToken)
    {
        var told = await ReplyAsync(item, reason, cancellationToken);
        if (!await inbox.SetAsideAsync(item.Key, lease.Owner, reason, cancellationToken))
        {
            Log.ClaimLost(logger, item.Kind, item.Key);
            return;
        }

        Log.SetAside(logger, item.Kind, item.Key, item.Attempts, reason, told);
        CerberusMetrics.InboundSetAside(item.Kind);
    }

    private async Task<bool> ReplyAsync(InboundItem item, string reason, CancellationToken cancellationToken)
    {
        if (ReplyTargetOf(item) is not { } reply)
        {
            return false;
        }

        var (target, what) = reply;
        var text = $"Your {what} could not be processed: {reason}. Nothing ran; try again or use the break-glass CLI.";
        var batch = new OutboxBatch(string.Empty, 0, target.ChannelId, time.GetUtcNow());
        batch.Reply(target, IncidentMessages.Text(text));
        if (batch.Items.Count == 0)
        {
            return false;
        }

        await outbox.EnqueueAsync([.. batch.Items.Select((i, n) => i with { Id = $"inbox-set-aside/{item.Key}/{n}" })], cancellationToken);
        outboxSignal.Notify();
        return true;
    }

    /// <summary>Who sent the request and what to call it; null when the payload cannot say (nobody to answer).</summary>
    private static (ReplyTarget Target, string What)? ReplyTargetOf(InboundItem item)
    {
        try
        {
            switch (item.Kind)
            {
                case InboundKinds.Command when JsonSerializer.Deserialize<SlashCommand>(item.Payload, Json) is { UserId.Length: > 0 } command:
                    var verb = command.Text.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
                    var name = verb.Length is > 0 and <= 20 && verb.All(char.IsAsciiLetterOrDigit) ? $"{command.Command} {verb}" : command.Command;
                    return (new ReplyTarget(command.ChannelId, command.UserId, command.ResponseUrl), $"command `{name}`");
                case InboundKinds.Interaction when JsonSerializer.Deserialize<InteractionPayload>(item.Payload, Json) is { UserId.Length: > 0 } interaction:
                    return (new ReplyTarget(interaction.ChannelId ?? string.Empty, interaction.UserId, interaction.ResponseUrl), "click");
                default:
                    return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Handling inbound {Kind} {Key} failed (attempt {Attempt})")]
        public static partial void Failed(ILogger logger, Exception exception, string kind, string key, int attempt);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The inbox is not readable; retrying")]
        public static partial void InboxUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Inbound {Kind} {Key} is claimed by another worker; skipped")]
        public static partial void ClaimedElsewhere(ILogger logger, string kind, string key);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Inbound {Kind} {Key}: the claim was taken over by another worker; its outcome is not recorded here")]
        public static partial void ClaimLost(ILogger logger, string kind, string key);

        [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Inbound {Kind} {Key} set aside after {Attempts} attempt(s): {Reason}; user told: {Told}")]
        public static partial void SetAside(ILogger logger, string kind, string key, int attempts, string reason, bool told);
    }
}
