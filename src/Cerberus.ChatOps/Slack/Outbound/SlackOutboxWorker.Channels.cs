using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Api;

namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>
/// The <see cref="OutboxKinds.OpenChannel"/> item: conversations.create is not idempotent, so every step is recorded
/// before the next and a retry (a crash, a timeout, a rate limit) resumes where the last attempt stopped.
/// <list type="number">
/// <item>The channel: created, and its id stored in the item's <c>ResultTs</c> under the claim before anything else
/// (the declaring channel's id when none could be created, the reason in <c>LastError</c>). When the create's answer
/// was lost (an InFlight item), Slack answers the retry <c>name_taken</c>: the channel of that name that the bot is in
/// and that was created since the item was is ours and is used; anything else (another channel of that name, no
/// <c>channels:read</c>/<c>groups:read</c>) leaves the incident in its thread. Never a second channel.</item>
/// <item>The invites (idempotent; repeated on a retry). A permanent failure leaves the incident in its thread, as a
/// failed create does.</item>
/// <item>The incident: <see cref="IIncidentChannelRecorder"/> moves it (or notes why it stays), once.</item>
/// <item>The pointer in the declaring channel, then the header where the incident is worked, each looked for by its
/// outbox id before it is posted again; the header's ts becomes its message ref and the item is Sent. A pointer Slack
/// refuses for good is given up (the header matters more).</item>
/// </list>
/// The item sits in the declaring channel's queue, so whatever the incident posted there meanwhile (diagnostics,
/// header updates) follows its header; what it posts after the move goes to the new channel and waits for the ref.
/// </summary>
internal sealed partial class SlackOutboxWorker
{
    private const string NameTaken = "name_taken";

    private const string PointerSuffix = "/pointer";

    private async Task<bool> OpenChannelAsync(
        OutboxItem attempt,
        SlackMessage message,
        bool uncertain,
        string owner,
        IOutboxStore store,
        ISlackApi api,
        IIncidentChannelRecorder? recorder,
        CancellationToken cancellationToken)
    {
        if (message.NewChannel is not { } request)
        {
            return await BuryAsync(store, owner, attempt, "new_channel_missing", cancellationToken);
        }

        var declaring = attempt.Channel;
        var since = LookupSince(attempt);

        // An earlier attempt may have posted the pointer or the header before a later step failed (or the process died).
        var repeated = attempt.Attempts > 1;
        try
        {
            if (attempt.ResultTs is null)
            {
                var (created, error) = await CreateChannelAsync(attempt, request, uncertain, since, api, cancellationToken);
                attempt = attempt with { ResultTs = created ?? declaring, LastError = error };
                if (!await UpdateAsync(store, owner, attempt, release: false, cancellationToken))
                {
                    return false;
                }
            }

            var opened = attempt.ResultTs == declaring ? null : attempt.ResultTs;
            if (opened is not null && request.Invite.Count > 0)
            {
                try
                {
                    await api.InviteAsync(opened, request.Invite, cancellationToken);
                }
                catch (SlackApiException ex) when (!ex.IsTransient)
                {
                    Log.InviteFailed(logger, attempt.IncidentId, opened, ex.Error);
                    attempt = attempt with { ResultTs = declaring, LastError = ex.Error };
                    if (!await UpdateAsync(store, owner, attempt, release: false, cancellationToken))
                    {
                        return false;
                    }

                    opened = null;
                }
            }

            var placement = (recorder is null ? null : await recorder.RecordAsync(attempt.IncidentId, declaring, opened, opened is null ? attempt.LastError : null, cancellationToken))
                ?? new IncidentPlacement(opened ?? declaring, message with { NewChannel = null }, null);
            if (placement.Pointer is { } pointer)
            {
                try
                {
                    await PostOnceOrAnywayAsync(api, declaring, pointer, attempt.Id + PointerSuffix, repeated, since, cancellationToken);
                }
                catch (SlackApiException ex) when (!ex.IsTransient)
                {
                    Log.PointerGivenUp(logger, attempt.Id, declaring, ex.Error);
                }
            }

            var header = await PostOnceOrAnywayAsync(api, placement.Channel, placement.Header, attempt.Id, repeated, since, cancellationToken);
            if (!string.IsNullOrEmpty(attempt.MessageRef))
            {
                await store.SetMessageRefAsync(attempt.IncidentId, attempt.MessageRef, header.Channel, header.Ts, cancellationToken);
            }

            await UpdateAsync(store, owner, attempt with { Status = OutboxStatus.Sent, ResultTs = header.Ts, LastError = null }, release: true, cancellationToken);
            Log.Sent(logger, attempt.Id, attempt.Kind, attempt.Attempts);
            return true;
        }
        catch (SlackApiException ex)
        {
            return await FailedAsync(store, owner, attempt, uncertain, ex, cancellationToken);
        }
    }

    /// <summary>The new channel's id, or (null, Slack's error) when it cannot be had; transient failures are thrown.</summary>
    private async Task<(string? Channel, string? Error)> CreateChannelAsync(
        OutboxItem item,
        SlackNewChannel request,
        bool uncertain,
        DateTimeOffset since,
        ISlackApi api,
        CancellationToken cancellationToken)
    {
        try
        {
            return (await api.CreateConversationAsync(request.Name, request.IsPrivate, cancellationToken), null);
        }
        catch (SlackApiException ex) when (ex.Error == NameTaken && uncertain)
        {
            // The answer to an earlier create was lost, so that create may have succeeded.
            if (await FindOwnChannelAsync(item, request, since, api, cancellationToken) is { } found)
            {
                Log.ChannelFoundAgain(logger, item.IncidentId, request.Name, found);
                return (found, null);
            }

            return (null, ex.Error);
        }
        catch (SlackApiException ex) when (!ex.IsTransient)
        {
            return (null, ex.Error);
        }
    }

    private async Task<string?> FindOwnChannelAsync(OutboxItem item, SlackNewChannel request, DateTimeOffset since, ISlackApi api, CancellationToken cancellationToken)
    {
        try
        {
            return await api.FindOwnChannelAsync(request.Name, request.IsPrivate, since, cancellationToken);
        }
        catch (SlackApiException ex) when (!ex.IsTransient)
        {
            Log.ChannelLookupFailed(logger, item.IncidentId, request.Name, ex.Error);
            return null;
        }
    }

    /// <summary>
    /// Posts the pointer or the header once, looking first when an earlier attempt may have posted it. A lookup Slack
    /// refuses for good (e.g. <c>not_in_channel</c>: the bot may post in a public channel it cannot read) posts anyway:
    /// a header twice is better than an incident with none.
    /// </summary>
    private async Task<SlackPostResult> PostOnceOrAnywayAsync(
        ISlackApi api, string channel, SlackMessage message, string outboxId, bool lookFirst, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (lookFirst)
        {
            try
            {
                if (await api.FindMessageByOutboxIdAsync(channel, outboxId, null, since, cancellationToken) is { } found)
                {
                    return new SlackPostResult(channel, found);
                }
            }
            catch (SlackApiException ex) when (!ex.IsTransient)
            {
                Log.LookupRefused(logger, outboxId, channel, ex.Error);
            }
        }

        return await api.PostMessageAsync(channel, message, null, outboxId, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Outbox {ItemId}: could not look for an earlier post in {Channel} ({Error}); posting it")]
        public static partial void LookupRefused(ILogger logger, string itemId, string channel, string error);

        [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Incident {IncidentId}: Slack says {Name} is taken after an unanswered create; it is ours: {Channel}")]
        public static partial void ChannelFoundAgain(ILogger logger, string incidentId, string name, string channel);

        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not look for its channel {Name} after name_taken ({Error}); it stays in a thread")]
        public static partial void ChannelLookupFailed(ILogger logger, string incidentId, string name, string error);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not invite into {Channel} ({Error}); it stays in a thread")]
        public static partial void InviteFailed(ILogger logger, string incidentId, string channel, string error);

        [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Outbox {ItemId}: the pointer to the incident's channel could not be posted in {Channel} ({Error}); the header is posted anyway")]
        public static partial void PointerGivenUp(ILogger logger, string itemId, string channel, string error);
    }
}
