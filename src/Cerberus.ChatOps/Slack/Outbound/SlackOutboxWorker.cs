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
/// </summary>
internal sealed partial class SlackOutboxWorker(
    IServiceScopeFactory scopes,
    IOutboxSignal signal,
    IOptionsMonitor<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackOutboxWorker> logger) : BackgroundService
{
    /// <summary>How long a reply waits for the message it refers to before it is sent without it.</summary>
    public static readonly TimeSpan RefWaitLimit = TimeSpan.FromMinutes(5);

    private const int BatchSize = 200;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>One pass over the outbox; returns how many items reached Sent or Dead.</summary>
    internal async Task<int> ProcessOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<OutboxItem> items;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Everything pending, due or not, so that a later item never overtakes an earlier one of its channel.
            items = await scope.ServiceProvider.GetRequiredService<IOutboxStore>()
                .ListDueAsync(time.GetUtcNow().AddDays(1), BatchSize, cancellationToken);
        }

        var groups = items
            .Where(i => i.Status is OutboxStatus.Pending or OutboxStatus.InFlight)
            .GroupBy(i => string.IsNullOrEmpty(i.Channel) ? "incident:" + i.IncidentId : i.Channel, StringComparer.Ordinal);
        var done = await Task.WhenAll(groups.Select(g => DrainAsync([.. g.OrderBy(i => i.CreatedAt)], cancellationToken)));
        return done.Sum();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await HoldsLeaseAsync(stoppingToken))
                {
                    await ProcessOnceAsync(stoppingToken);
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
        return lease is null || await lease.TryHoldAsync(Hosting.ProcessLease.Outbox, TimeSpan.FromMinutes(2), cancellationToken);
    }

    private async Task<int> DrainAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IOutboxStore>();
        var api = scope.ServiceProvider.GetRequiredService<ISlackApi>();
        var done = 0;
        foreach (var item in items)
        {
            if (item.NextAttemptAt > time.GetUtcNow() || !await SendAsync(item, store, api, cancellationToken))
            {
                // Not due or not delivered yet: later items of this channel wait, so that order holds.
                break;
            }

            done++;
        }

        return done;
    }

    /// <summary>True when the item reached Sent or Dead; false when it was rescheduled.</summary>
    private async Task<bool> SendAsync(OutboxItem item, IOutboxStore store, ISlackApi api, CancellationToken cancellationToken)
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
            return await BuryAsync(store, item, "invalid_payload", cancellationToken);
        }

        var channel = item.Channel;
        string? refTs = null;
        if (item.Kind != OutboxKinds.Post && item.Kind != OutboxKinds.ResponseUrl && !string.IsNullOrEmpty(item.MessageRef))
        {
            var reference = await store.GetMessageRefAsync(item.IncidentId, item.MessageRef, cancellationToken);
            if (reference is { } r)
            {
                (channel, refTs) = (r.Channel, r.Ts);
            }
            else if (now - item.CreatedAt < RefWaitLimit)
            {
                Log.WaitingForRef(logger, item.Id, item.MessageRef);
                await store.UpdateAsync(item with { NextAttemptAt = now + options.CurrentValue.OutboxPollInterval }, cancellationToken);
                return false;
            }
            else if (item.Kind == OutboxKinds.Update)
            {
                return await BuryAsync(store, item, "message_ref_missing", cancellationToken);
            }
            else
            {
                Log.RefGaveUp(logger, item.Id, item.MessageRef);
            }
        }

        var uncertain = item.Status == OutboxStatus.InFlight;
        var attempt = item with { Status = OutboxStatus.InFlight, Attempts = item.Attempts + 1, NextAttemptAt = now };
        await store.UpdateAsync(attempt, cancellationToken);
        try
        {
            var (sentChannel, ts) = await DeliverAsync(attempt, message, channel, refTs, uncertain, api, cancellationToken);
            if (item.Kind == OutboxKinds.Post && !string.IsNullOrEmpty(item.MessageRef) && ts is not null)
            {
                // The ref first: a crash between the two finds the message again and sets the same ref.
                await store.SetMessageRefAsync(item.IncidentId, item.MessageRef, sentChannel, ts, cancellationToken);
            }

            await store.UpdateAsync(attempt with { Status = OutboxStatus.Sent, ResultTs = ts, LastError = null }, cancellationToken);
            Log.Sent(logger, item.Id, item.Kind, attempt.Attempts);
            return true;
        }
        catch (SlackApiException ex) when (ex.IsTransient)
        {
            var delay = ex.RetryAfter ?? Backoff(attempt.Attempts);
            var status = ex.MayHaveSucceeded || uncertain ? OutboxStatus.InFlight : OutboxStatus.Pending;
            await store.UpdateAsync(attempt with { Status = status, NextAttemptAt = time.GetUtcNow() + delay, LastError = ex.Error }, cancellationToken);
            Log.Rescheduled(logger, item.Id, item.Kind, ex.Error, delay.TotalSeconds);
            return false;
        }
        catch (SlackApiException ex)
        {
            return await BuryAsync(store, attempt, ex.Error, cancellationToken);
        }
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
        var since = item.CreatedAt - TimeSpan.FromMinutes(1);
        switch (item.Kind)
        {
            case OutboxKinds.Post:
            case OutboxKinds.Thread:
                var threadTs = item.Kind == OutboxKinds.Thread ? refTs : null;
                if (uncertain && await api.FindMessageByOutboxIdAsync(channel, item.Id, threadTs, since, cancellationToken) is { } found)
                {
                    return (channel, found);
                }

                var posted = await api.PostMessageAsync(channel, message, threadTs, item.Id, cancellationToken);
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

    private async Task<bool> BuryAsync(IOutboxStore store, OutboxItem item, string error, CancellationToken cancellationToken)
    {
        await store.UpdateAsync(item with { Status = OutboxStatus.Dead, LastError = error }, cancellationToken);
        Log.Dead(logger, item.Id, item.Kind, item.Channel, error);
        return true;
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
    }
}
