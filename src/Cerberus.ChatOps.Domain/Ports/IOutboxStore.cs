namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>The persisted outbox of outgoing messages, and the ts of messages later ones refer to.</summary>
public interface IOutboxStore
{
    Task EnqueueAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken);

    /// <summary>Pending or in-flight items whose next attempt is due, oldest first.</summary>
    Task<IReadOnlyList<OutboxItem>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    Task UpdateAsync(OutboxItem item, CancellationToken cancellationToken);

    Task<OutboxItem?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Remembers the channel and ts of a posted message under a name (e.g. the incident header).</summary>
    Task SetMessageRefAsync(string incidentId, string name, string channel, string ts, CancellationToken cancellationToken);

    Task<(string Channel, string Ts)?> GetMessageRefAsync(string incidentId, string name, CancellationToken cancellationToken);
}
