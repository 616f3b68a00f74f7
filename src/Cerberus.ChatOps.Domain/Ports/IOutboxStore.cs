namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// The persisted outbox of outgoing messages, and the ts of messages later ones refer to. Items are sent under a
/// claim: a conditional update that records the owner and the claim time on the database's clock; every later write
/// of the item is conditional on still holding it, so two workers never send the same item at once.
/// </summary>
public interface IOutboxStore
{
    /// <summary>Adds the items; an id that is already there keeps its first version.</summary>
    Task EnqueueAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken);

    /// <summary>
    /// The sendable head of every channel's queue: Pending or InFlight items due by <paramref name="now"/> with no
    /// earlier Pending or InFlight item of the same channel still waiting (so order per channel holds), oldest first,
    /// at most <paramref name="maxPerChannel"/> per channel (a backlog in one channel never crowds out the others) and
    /// <paramref name="max"/> in all. A channel is <see cref="OutboxItem.Channel"/>, or the incident when that is empty.
    /// </summary>
    Task<IReadOnlyList<OutboxItem>> ListDueAsync(DateTimeOffset now, int max, int maxPerChannel, CancellationToken cancellationToken);

    /// <summary>The items not sent yet (Pending or InFlight, due or not) and the oldest one's creation time.</summary>
    Task<QueueBacklog> BacklogAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims the item for <paramref name="owner"/> and returns it as stored; null when it is Sent, Dead or unknown, not
    /// due by <paramref name="now"/>, or claimed by another owner less than <paramref name="claimTimeout"/> ago by the
    /// database's clock. A claim is re-entrant for its owner. Its status is left as it was: InFlight still means that
    /// an earlier send may have reached Slack.
    /// </summary>
    Task<OutboxItem?> TryClaimAsync(string id, string owner, DateTimeOffset now, TimeSpan claimTimeout, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the item's delivery state (status, attempts, next attempt, error, ts) if <paramref name="owner"/> still
    /// holds its claim, and lets the claim go when <paramref name="release"/>; false (nothing written) when it lost it.
    /// </summary>
    Task<bool> UpdateClaimedAsync(OutboxItem item, string owner, bool release, CancellationToken cancellationToken);

    Task<OutboxItem?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes Sent items created before <paramref name="before"/> (message refs are kept: later items still find their message).</summary>
    Task PruneSentAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Remembers the channel and ts of a posted message under a name (e.g. the incident header).</summary>
    Task SetMessageRefAsync(string incidentId, string name, string channel, string ts, CancellationToken cancellationToken);

    Task<(string Channel, string Ts)?> GetMessageRefAsync(string incidentId, string name, CancellationToken cancellationToken);
}
