using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// The messages one change of an incident causes. They are saved in the same transaction as the change, with ids
/// derived from the incident's next version: a change that loses a race leaves no message behind.
/// </summary>
internal sealed class OutboxBatch(string incidentId, long nextVersion, string channel, DateTimeOffset now)
{
    public const string HeaderRef = "header";

    private readonly List<OutboxItem> _items = [];

    public OutboxBatch(Incident incident, DateTimeOffset now)
        : this(incident.Id, incident.Version + 1, incident.Channel, now)
    {
    }

    public IReadOnlyList<OutboxItem> Items => _items;

    public void PostHeader(SlackMessage message) => Add(OutboxKinds.Post, message, HeaderRef);

    /// <summary>Opens the incident's own channel, then posts the header where the incident is worked (see <see cref="OutboxKinds.OpenChannel"/>).</summary>
    public void OpenChannel(SlackMessage header, SlackNewChannel newChannel) =>
        Add(OutboxKinds.OpenChannel, header with { NewChannel = newChannel }, HeaderRef);

    public void UpdateHeader(SlackMessage message)
    {
        // Only the latest header update of a batch matters.
        _items.RemoveAll(i => i.Kind == OutboxKinds.Update && i.MessageRef == HeaderRef);
        Add(OutboxKinds.Update, message, HeaderRef);
    }

    public void Thread(SlackMessage message) => Add(OutboxKinds.Thread, message, HeaderRef);

    public void File(SlackMessage message) => Add(OutboxKinds.File, message, HeaderRef);

    public void Reply(ReplyTarget target, SlackMessage message)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Sink is { } sink)
        {
            sink.Deliver(message);
        }
        else if (!string.IsNullOrEmpty(target.ResponseUrl))
        {
            Add(OutboxKinds.ResponseUrl, message with { ResponseUrl = target.ResponseUrl, ResponseType = "ephemeral" }, null, target.ChannelId);
        }
        else
        {
            Add(OutboxKinds.Ephemeral, message with { User = target.UserId }, null, target.ChannelId);
        }
    }

    /// <summary>Replaces the message that carried a button (via its response_url), e.g. an approval card once decided.</summary>
    public void ReplaceOriginal(ReplyTarget target, SlackMessage message)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!string.IsNullOrEmpty(target.ResponseUrl))
        {
            Add(OutboxKinds.ResponseUrl, message with { ResponseUrl = target.ResponseUrl, ReplaceOriginal = true, ResponseType = "in_channel" }, null, target.ChannelId);
        }
    }

    /// <summary>An event for PagerDuty, sent by the outbox with the routing key added (see <see cref="OutboxKinds.PagerDuty"/>).</summary>
    public void Page(Paging.PagerDutyEvent pagerEvent) =>
        _items.Add(new OutboxItem
        {
            Id = $"{incidentId}/{nextVersion}/{_items.Count}",
            IncidentId = incidentId,
            Kind = OutboxKinds.PagerDuty,
            Channel = OutboxKinds.PagerDutyChannel,
            Payload = System.Text.Json.JsonSerializer.Serialize(pagerEvent),
            CreatedAt = now,
            NextAttemptAt = now,
        });

    private void Add(string kind, SlackMessage message, string? messageRef, string? toChannel = null) =>
        _items.Add(new OutboxItem
        {
            Id = $"{incidentId}/{nextVersion}/{_items.Count}",
            IncidentId = incidentId,
            Kind = kind,
            Channel = toChannel ?? channel,
            Payload = SlackMessageJson.Serialize(message),
            MessageRef = messageRef,
            CreatedAt = now,
            NextAttemptAt = now,
        });
}
