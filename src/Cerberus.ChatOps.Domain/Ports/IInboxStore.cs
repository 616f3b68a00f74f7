namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>The durable inbox: dedupe and queue in one table.</summary>
public interface IInboxStore
{
    /// <summary>Stores the item unless its key was seen before; false for a duplicate.</summary>
    Task<bool> TryAddAsync(InboundItem item, CancellationToken cancellationToken);

    Task<IReadOnlyList<InboundItem>> ListPendingAsync(int max, CancellationToken cancellationToken);

    Task MarkDoneAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes done items received before <paramref name="before"/> (keep longer than Slack's last retry).</summary>
    Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
