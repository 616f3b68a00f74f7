using System.Security.Cryptography;
using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Api;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>
/// Drains the persisted outbox into Slack, in order per channel, each item as <see cref="OutboxKinds"/> says.
/// An item is marked <see cref="OutboxStatus.InFlight"/> before Slack is called; success records Sent, the ts and
/// (for a post with a MessageRef) the message ref. A 429, 5xx or network error reschedules it with backoff; an
/// ambiguous failure (5xx, timeout) leaves it InFlight, and an InFlight item is first looked for in the channel by
/// its metadata outbox_id and posted again only when absent: a Slack outage or a restart loses nothing and posts
/// nothing twice. Errors Slack says will never succeed make it Dead, with the error recorded and logged.
/// Each item is claimed (<see cref="IOutboxStore.TryClaimAsync"/>) before anything is done with it, and every write
/// after that is conditional on still holding the claim: with several replicas, one whose lease lapsed mid-pass
/// (429 waits, pacing) and the one that took over never send the same item. An item claimed elsewhere holds back the
/// rest of its channel until the next pass. Only due items are fetched, at most <see cref="PerChannel"/> per channel,
/// so a backlog of paced or retried items in one channel never keeps a new approval card in another from going out.
/// An incident's own channel is opened the same way (<see cref="OutboxKinds.OpenChannel"/>, in
/// <c>SlackOutboxWorker.Channels.cs</c>): one item at the head of the declaring channel's queue that creates the
/// channel, has the incident moved, and posts the pointer and the header before anything that replies to it.
/// </summary>
internal sealed partial class SlackOutboxWorker(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptionsMonitor<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackOutboxWorker> logger) : BackgroundService
{
    /// <summary>How long a reply waits for the message it refers to before it is sent without it.</summary>
    public static readonly TimeSpan RefWaitLimit = TimeSpan.FromMinutes(5);

    private const int BatchSize = 200;

    private const int PerChannel = 20;

    /// <summary>How far before an item's creation Slack is searched for what an earlier attempt sent (clock skew).</summary>
    private static readonly TimeSpan LookupMargin = TimeSpan.FromMinutes(1);

    /// <summary>The claim owner when no <see cref="Hosting.ProcessLease"/> is registered (this process only).</summary>
    private readonly string _fallbackOwner = $"{Environment.MachineName}/{Environment.ProcessId}/outbox-{Guid.NewGuid():N}";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>One pass over the outbox; returns how many items reached Sent or Dead.</summary>
    internal async Task<int> ProcessOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<OutboxItem> items;
        string owner;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Only what is due, and only up to the first item of each channel that is not: order per channel holds.
            items = await scope.ServiceProvider.GetRequiredService<IOutboxStore>()
                .ListDueAsync(time.GetUtcNow(), BatchSize, PerChannel, cancellationToken);
            owner = scope.ServiceProvider.GetService<Hosting.ProcessLease>()?.Owner ?? _fallbackOwner;
        }

        var groups = items
            .Where(i => i.Status is OutboxStatus.Pending or OutboxStatus.InFlight)
            .GroupBy(i => string.IsNullOrEmpty(i.Channel) ? "incident:" + i.IncidentId : i.Channel, StringComparer.Ordinal);
        var done = await Task.WhenAll(groups.Select(g => DrainAsync(owner, [.. g.OrderBy(i => i.CreatedAt)], cancellationToken)));
        return done.Sum();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A pass that finished items goes again at once: a backlog drains at the speed of Slack (and its
                // pacing), not at PerChannel items per poll interval.
                if (await HoldsLeaseAsync(stoppingToken) && await ProcessOnceAsync(stoppingToken) > 0)
                {
                    continue;
                }

                await signal.WaitAsync(options.CurrentValue.OutboxPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.PassFailed(logger, ex);
                await Task.Delay(options.CurrentValue.OutboxPollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>With several replicas only the holder of the outbox lease sends (a message must not go out twice).</summary>
    private async Task<bool> HoldsLeaseAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var lease = scope.ServiceProvider.GetService<Hosting.ProcessLease>();
        return lease is null || await lease.TryHoldAsync(Hosting.ProcessLease.Outbox, Hosting.ProcessLease.WorkerLeaseDuration, cancellationToken);
    }

    private async Task<int> DrainAsync(string owner, IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IOutboxStore>();
        var api = scope.ServiceProvider.GetRequiredService<ISlackApi>();
        var recorder = scope.ServiceProvider.GetService<IIncidentChannelRecorder>();
        var pagerDuty = scope.ServiceProvider.GetService<Paging.PagerDutyClient>();
        var done = 0;
        foreach (var item in items)
        {
            // The lease is renewed per item (a long pass keeps it); losing it ends this channel's turn.
            if (item.NextAttemptAt > time.GetUtcNow() || !await HoldsLeaseAsync(cancellationToken))
            {
                break;
            }

            var claimed = await store.TryClaimAsync(item.Id, owner, time.GetUtcNow(), options.CurrentValue.OutboxClaimTimeout, cancellationToken);
            if (claimed is null)
            {
                if (await store.GetAsync(item.Id, cancellationToken) is { Status: OutboxStatus.Sent or OutboxStatus.Dead })
                {
                    // Finished by another worker since it was listed: the next one may go.
                    continue;
                }

                // Claimed by another worker (or rescheduled by it): later items of this channel wait, so that order holds.
                Log.ClaimedElsewhere(logger, item.Id);
                break;
            }

            var finished = claimed.Kind == OutboxKinds.PagerDuty
                ? await PageAsync(claimed, owner, store, pagerDuty, cancellationToken)
                : await SendAsync(claimed, owner, store, api, recorder, cancellationToken);
            if (!finished)
            {
                // Not delivered yet: later items of this channel wait, so that order holds.
                break;
            }

            done++;
        }

        return done;
    }

    /// <summary>True when the item reached Sent or Dead; false when it was rescheduled.</summary>
    private async Task<bool> SendAsync(OutboxItem item, string owner, IOutboxStore store, ISlackApi api, IIncidentChannelRecorder? recorder, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SlackMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<SlackMessage>(item.Payload, PayloadJson);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            return await BuryAsync(store, owner, item, "invalid_payload", cancellationToken);
        }

        var channel = item.Channel;
        string? refTs = null;
        if (item.Kind is not (OutboxKinds.Post or OutboxKinds.ResponseUrl or OutboxKinds.OpenChannel) && !string.IsNullOrEmpty(item.MessageRef))
        {
            var reference = await store.GetMessageRefAsync(item.IncidentId, item.MessageRef, cancellationToken);
            if (reference is { } r)
            {
                (channel, refTs) = (r.Channel, r.Ts);
            }
            else if (now - item.CreatedAt < RefWaitLimit)
            {
                Log.WaitingForRef(logger, item.Id, item.MessageRef);
                await UpdateAsync(store, owner, item with { NextAttemptAt = now + options.CurrentValue.OutboxPollInterval }, release: true, cancellationToken);
                return false;
            }
            else if (item.Kind == OutboxKinds.Update)
            {
                return await BuryAsync(store, owner, item, "message_ref_missing", cancellationToken);
            }
            else
            {
                Log.RefGaveUp(logger, item.Id, item.MessageRef);
            }
        }

        var uncertain = item.Status == OutboxStatus.InFlight;
        var attempt = item with { Status = OutboxStatus.InFlight, Attempts = item.Attempts + 1, NextAttemptAt = now };
        if (!await UpdateAsync(store, owner, attempt, release: false, cancellationToken))
        {
            // Another worker took the item over: it sends it, not us.
            return false;
        }

        if (item.Kind == OutboxKinds.OpenChannel)
        {
            return await OpenChannelAsync(attempt, message, uncertain, owner, store, api, recorder, cancellationToken);
        }

        try
        {
            var (sentChannel, ts) = await DeliverAsync(attempt, message, channel, refTs, uncertain, api, cancellationToken);
            if (item.Kind == OutboxKinds.Post && !string.IsNullOrEmpty(item.MessageRef) && ts is not null)
            {
                // The ref first: a crash between the two finds the message again and sets the same ref.
                await store.SetMessageRefAsync(item.IncidentId, item.MessageRef, sentChannel, ts, cancellationToken);
            }

            // Delivered either way; a worker that took the claim over meanwhile finds the message by its metadata.
            await UpdateAsync(store, owner, attempt with { Status = OutboxStatus.Sent, ResultTs = ts, LastError = null }, release: true, cancellationToken);
            Log.Sent(logger, item.Id, item.Kind, attempt.Attempts);
            return true;
        }
        catch (SlackApiException ex)
        {
            return await FailedAsync(store, owner, attempt, uncertain, ex, cancellationToken);
        }
    }

    /// <summary>A transient failure reschedules the item (still InFlight when the call may have run); any other buries it.</summary>
    private async Task<bool> FailedAsync(IOutboxStore store, string owner, OutboxItem attempt, bool uncertain, SlackApiException ex, CancellationToken cancellationToken)
    {
        if (!ex.IsTransient)
        {
            return await BuryAsync(store, owner, attempt, ex.Error, cancellationToken);
        }

        var delay = ex.RetryAfter ?? Backoff(attempt.Attempts);
        var status = ex.MayHaveSucceeded || uncertain ? OutboxStatus.InFlight : OutboxStatus.Pending;
        await UpdateAsync(store, owner, attempt with { Status = status, NextAttemptAt = time.GetUtcNow() + delay, LastError = ex.Error }, release: true, cancellationToken);
        Log.Rescheduled(logger, attempt.Id, attempt.Kind, ex.Error, delay.TotalSeconds);
        return false;
    }

    private static async Task<(string Channel, string? Ts)> DeliverAsync(
        OutboxItem item,
        SlackMessage message,
        string channel,
        string? refTs,
        bool uncertain,
        ISlackApi api,
        CancellationToken cancellationToken)
    {
        var since = LookupSince(item);
        switch (item.Kind)
        {
            case OutboxKinds.Post:
            case OutboxKinds.Thread:
                var posted = await PostOnceAsync(api, channel, message, item.Kind == OutboxKinds.Thread ? refTs : null, item.Id, uncertain, since, cancellationToken);
                return (posted.Channel, posted.Ts);

            case OutboxKinds.Update:
                if (refTs is null)
                {
                    throw new SlackApiException("chat.update", "message_ref_missing");
                }

                await api.UpdateMessageAsync(channel, refTs, message, cancellationToken);
                return (channel, refTs);

            case OutboxKinds.Ephemeral:
                if (string.IsNullOrEmpty(message.User))
                {
                    throw new SlackApiException("chat.postEphemeral", "user_missing");
                }

                return (channel, await api.PostEphemeralAsync(channel, message.User, message, refTs, cancellationToken));

            case OutboxKinds.ResponseUrl:
                if (string.IsNullOrEmpty(message.ResponseUrl))
                {
                    throw new SlackApiException("response_url", "response_url_missing");
                }

                await api.PostToResponseUrlAsync(message.ResponseUrl, message, cancellationToken);
                return (channel, null);

            case OutboxKinds.File:
                if (message.File is null)
                {
                    throw new SlackApiException("files.completeUploadExternal", "file_missing");
                }

                if (uncertain && await api.FindFileMessageAsync(channel, message.File.FileName, message.File.Title, refTs, since, cancellationToken) is { } shared)
                {
                    return (channel, shared);
                }

                return (channel, await api.UploadFileAsync(channel, message.File, refTs, cancellationToken));

            default:
                throw new SlackApiException(item.Kind, "unknown_outbox_kind");
        }
    }

    private static DateTimeOffset LookupSince(OutboxItem item) => item.CreatedAt - LookupMargin;

    /// <summary>chat.postMessage with the outbox id in its metadata; when an earlier send may have arrived, it is looked for first.</summary>
    private static async Task<SlackPostResult> PostOnceAsync(
        ISlackApi api,
        string channel,
        SlackMessage message,
        string? threadTs,
        string outboxId,
        bool lookFirst,
        DateTimeOffset since,
        CancellationToken cancellationToken)
    {
        if (lookFirst && await api.FindMessageByOutboxIdAsync(channel, outboxId, threadTs, since, cancellationToken) is { } found)
        {
            return new SlackPostResult(channel, found);
        }

        return await api.PostMessageAsync(channel, message, threadTs, outboxId, cancellationToken);
    }

    private async Task<bool> BuryAsync(IOutboxStore store, string owner, OutboxItem item, string error, CancellationToken cancellationToken)
    {
        if (!await UpdateAsync(store, owner, item with { Status = OutboxStatus.Dead, LastError = error }, release: true, cancellationToken))
        {
            return false;
        }

        Log.Dead(logger, item.Id, item.Kind, item.Channel, error);
        return true;
    }

    /// <summary>Writes the item under this worker's claim; false (and a log line) when another worker took it over.</summary>
    private async Task<bool> UpdateAsync(IOutboxStore store, string owner, OutboxItem item, bool release, CancellationToken cancellationToken)
    {
        if (await store.UpdateClaimedAsync(item, owner, release, cancellationToken))
        {
            return true;
        }

        Log.ClaimLost(logger, item.Id, item.Status.ToString());
        return false;
    }

    private TimeSpan Backoff(int attempts)
    {
        var settings = options.CurrentValue;
        var exponent = Math.Clamp(attempts - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(settings.RetryBaseDelay.Ticks * (1L << exponent), settings.OutboxMaxBackoff.Ticks));

        // ±20 % jitter, so that many items do not retry in step.
        var jitter = (RandomNumberGenerator.GetInt32(0, 41) - 20) / 100.0;
        return delay + (delay * jitter);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Outbox {ItemId} ({Kind}) sent after {Attempts} attempt(s)")]
        public static partial void Sent(ILogger logger, string itemId, string kind, int attempts);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Outbox {ItemId} ({Kind}) not sent ({Error}); next attempt in {DelaySeconds:0.#} s")]
        public static partial void Rescheduled(ILogger logger, string itemId, string kind, string error, double delaySeconds);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Outbox {ItemId} ({Kind}) to {Channel} given up: {Error}")]
        public static partial void Dead(ILogger logger, string itemId, string kind, string channel, string error);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Outbox {ItemId} waits for message ref {MessageRef}")]
        public static partial void WaitingForRef(ILogger logger, string itemId, string messageRef);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Outbox {ItemId}: message ref {MessageRef} never came; sent without it")]
        public static partial void RefGaveUp(ILogger logger, string itemId, string messageRef);

        [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Outbox pass failed; will try again")]
        public static partial void PassFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Outbox {ItemId} is claimed by another worker; its channel waits for the next pass")]
        public static partial void ClaimedElsewhere(ILogger logger, string itemId);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Outbox {ItemId}: the claim was taken over by another worker; {Status} not recorded here")]
        public static partial void ClaimLost(ILogger logger, string itemId, string status);
    }
}
