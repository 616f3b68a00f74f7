using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Store;

/// <summary>
/// One store implementation serves the four persistence ports; it is registered once and resolved under each of
/// them. <see cref="ProviderName"/> is what errors and health checks name (never the connection string).
/// </summary>
internal interface ICerberusStore : IIncidentStore, IOutboxStore, IInboxStore, ILeaseStore
{
    /// <summary>"SQLite" or "PostgreSQL".</summary>
    string ProviderName { get; }

    /// <summary>The schema version the code migrates to.</summary>
    int LatestSchemaVersion { get; }

    /// <summary>A trivial query: the schema version currently applied (0 before <see cref="IIncidentStore.InitializeAsync"/>).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);
}
