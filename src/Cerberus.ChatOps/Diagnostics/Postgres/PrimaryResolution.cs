using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Where the primary is, as Patroni tells it, and what the configured target is: the leader's host:port from
/// <c>/cluster</c>, the cluster's <c>database_system_identifier</c> from <c>/patroni</c>, and the configured
/// server's recovery state and system identifier. The database probes connect to <see cref="Endpoint"/>.
/// </summary>
internal sealed record PrimaryResolution
{
    /// <summary>No Patroni (not configured, or following the leader is switched off): the configured target is used as is.</summary>
    public static readonly PrimaryResolution None = new();

    /// <summary>The leader's PostgreSQL (host and port from <c>/cluster</c>), when Patroni named exactly one.</summary>
    public PostgresEndpoint? Leader { get; init; }

    public string? LeaderName { get; init; }

    /// <summary>The reference <c>/cluster</c> members (empty without an answer).</summary>
    public IReadOnlyList<PatroniMember> Members { get; init; } = [];

    /// <summary>The cluster's <c>database_system_identifier</c> (any member's <c>/patroni</c>; they share it).</summary>
    public string? ClusterSystemIdentifier { get; init; }

    public string? Scope { get; init; }

    /// <summary>Why Patroni could not name the leader; null when it did or was not asked.</summary>
    public string? PatroniProblem { get; init; }

    /// <summary>The configured target checked beside Patroni (null when not checked).</summary>
    public ServerIdentity? Configured { get; init; }

    /// <summary>
    /// The configured database belongs to another cluster than Patroni's: its system identifier differs. The bot
    /// then stays on the configured target (its credentials are for that server) and says so.
    /// </summary>
    public bool ConfiguredOutsideCluster =>
        Configured?.SystemIdentifier is { } mine && ClusterSystemIdentifier is { } cluster && !string.Equals(mine, cluster, StringComparison.Ordinal);

    /// <summary>Where the primary-side probes connect: Patroni's leader, unless the configured database is outside its cluster; null = the configured target.</summary>
    public PostgresEndpoint? Endpoint => ConfiguredOutsideCluster ? null : Leader;

    public bool PatroniAsked => Members.Count > 0 || PatroniProblem is not null;
}
