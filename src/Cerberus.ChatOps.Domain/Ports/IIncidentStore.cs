using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// Where incidents live. Implementations: SQLite (default, embedded file) and PostgreSQL (several replicas);
/// both pass the same contract tests. Nothing about an incident lives only in memory.
/// </summary>
public interface IIncidentStore
{
    /// <summary>Creates or migrates the schema. Idempotent; called once at start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Allocates the next id of the year, e.g. INC-2026-0001, atomically across replicas.</summary>
    Task<string> AllocateIncidentIdAsync(DateTimeOffset now, CancellationToken cancellationToken);

    Task<Incident?> GetAsync(string incidentId, CancellationToken cancellationToken);

    /// <summary>The open incident of a channel (declared there, or living in its own channel), if any.</summary>
    Task<Incident?> FindOpenInChannelAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Newest first, from the summary columns (no document is read).</summary>
    Task<IReadOnlyList<IncidentSummary>> ListAsync(bool openOnly, int limit, CancellationToken cancellationToken);

    /// <summary>The timer columns of the open incidents, oldest first (no document is read).</summary>
    Task<IReadOnlyList<IncidentClock>> ListOpenClocksAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts (when <see cref="Incident.Version"/> is 0) or updates the incident only if its stored version still
    /// equals <see cref="Incident.Version"/>, and enqueues <paramref name="outbox"/> in the same transaction; then
    /// increments <see cref="Incident.Version"/>. Throws <see cref="ConcurrencyConflictException"/> when another
    /// writer won: the caller reloads and decides again.
    /// </summary>
    Task SaveAsync(Incident incident, IReadOnlyList<OutboxItem> outbox, CancellationToken cancellationToken);
}
