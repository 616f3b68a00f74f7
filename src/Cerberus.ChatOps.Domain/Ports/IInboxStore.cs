namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// The durable inbox: dedupe and queue in one table. Items are processed under a claim: a conditional update that
/// records the owner and the claim time on the database's clock, so that two workers never handle the same item at
/// once. A claim of a dead owner becomes claimable again after the claim timeout; finishing is conditional on still
/// holding the claim.
/// </summary>
public interface IInboxStore
{
    /// <summary>Stores the item unless its key was seen before; false for a duplicate.</summary>
    Task<bool> TryAddAsync(InboundItem item, CancellationToken cancellationToken);

    /// <summary>Items not done yet (claimed ones included: the claim decides who handles them), in arrival order.</summary>
    Task<IReadOnlyList<InboundItem>> ListPendingAsync(int max, CancellationToken cancellationToken);

    /// <summary>The items not done yet and the oldest one's arrival time.</summary>
    Task<QueueBacklog> BacklogAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims a pending item for <paramref name="owner"/> and counts one attempt (persisted, so a poison item that kills
    /// the process still runs out of attempts). Null when the item is done or unknown, or when another owner claimed it
    /// less than <paramref name="claimTimeout"/> ago by the database's clock. A claim is re-entrant for its owner.
    /// </summary>
    Task<InboundItem?> TryClaimAsync(string key, string owner, TimeSpan claimTimeout, CancellationToken cancellationToken);

    /// <summary>Marks the item done if <paramref name="owner"/> still holds its claim; false (nothing written) when it lost it.</summary>
    Task<bool> MarkDoneAsync(string key, string owner, CancellationToken cancellationToken);

    /// <summary>Lets the claim go after a failed attempt (the item stays pending, its attempts and <paramref name="reason"/> kept); false when the claim was lost.</summary>
    Task<bool> ReleaseAsync(string key, string owner, string reason, CancellationToken cancellationToken);

    /// <summary>Sets the item aside (done, <see cref="InboundItem.SetAside"/>, with <paramref name="reason"/>) if <paramref name="owner"/> holds its claim; false when it lost it.</summary>
    Task<bool> SetAsideAsync(string key, string owner, string reason, CancellationToken cancellationToken);

    /// <summary>Deletes done items received before <paramref name="before"/> (keep longer than Slack's last retry).</summary>
    Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
