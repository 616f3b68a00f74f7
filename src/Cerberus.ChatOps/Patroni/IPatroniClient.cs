using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Patroni;

/// <summary>Patroni's REST API (3.0.x), with a bounded time for every call. Shared by the probes and the failover action.</summary>
internal interface IPatroniClient
{
    /// <summary>The configured members.</summary>
    IReadOnlyList<Uri> Members { get; }

    Task<PatroniAnswer<PatroniCluster>> GetClusterAsync(Uri member, CancellationToken cancellationToken);

    Task<PatroniAnswer<PatroniNodeStatus>> GetStatusAsync(Uri member, CancellationToken cancellationToken);

    Task<PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>> GetHistoryAsync(Uri member, CancellationToken cancellationToken);

    /// <summary>
    /// GET /replica?lag=N: 200 when the member is a running replica whose replayed position is within N bytes of the
    /// leader's last optime in the DCS, else 503 (null = no lag check). How the DCS optime is measured without DCS access.
    /// </summary>
    Task<PatroniAnswer<PatroniNodeStatus>> GetReplicaCheckAsync(Uri member, long? maximumLagBytes, CancellationToken cancellationToken);

    Task<PatroniAnswer<PatroniDynamicConfig>> GetConfigAsync(Uri member, CancellationToken cancellationToken);

    /// <summary>Asks every member for /cluster at once; returns every answer (the caller compares them).</summary>
    Task<IReadOnlyList<PatroniAnswer<PatroniCluster>>> GetClusterFromAllAsync(CancellationToken cancellationToken);

    /// <summary>POST /switchover {leader, candidate}: graceful, for a healthy leader.</summary>
    Task<PatroniCommandResult> SwitchoverAsync(Uri member, string leader, string candidate, CancellationToken cancellationToken);

    /// <summary>
    /// PATCH /config with <paramref name="patch"/> (Patroni 3.0.2 <c>api.py</c> <c>do_PATCH_config</c> +
    /// <c>utils.py</c> <c>patch_config</c>: a JSON null deletes the key; answers 200 with the whole new configuration,
    /// 409 when the configuration changed concurrently, 503 when it has none). Authenticated like the POSTs.
    /// </summary>
    Task<PatroniCommandResult> PatchConfigAsync(Uri member, JsonObject patch, CancellationToken cancellationToken);

    /// <summary>
    /// POST /reinitialize {"force": <paramref name="force"/>} to the member to rebuild (Patroni 3.0.2 <c>api.py</c>
    /// <c>do_POST_reinitialize</c> → <c>ha.py</c> <c>reinitialize</c>): 200 "reinitialize started" (the member stops its
    /// PostgreSQL, deletes the data directory and clones it again in the background); 503 with the reason when nothing was
    /// started ("Cluster has no leader, can not reinitialize", "I am the leader, can not reinitialize", "&lt;action&gt; already
    /// in progress"). force=true would cancel the member's running background action first. Authenticated like the POSTs.
    /// </summary>
    Task<PatroniCommandResult> ReinitializeAsync(Uri member, bool force, CancellationToken cancellationToken);

    /// <summary>POST /failover {candidate}: for a cluster without a healthy leader. Bypasses Patroni's lag check.</summary>
    Task<PatroniCommandResult> FailoverAsync(Uri member, string candidate, CancellationToken cancellationToken);
}
