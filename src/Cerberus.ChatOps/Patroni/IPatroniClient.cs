namespace Cerberus.ChatOps.Patroni;

/// <summary>Patroni's REST API (3.0.x), with a bounded time for every call. Shared by the probes and the failover action.</summary>
public interface IPatroniClient
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

    /// <summary>POST /failover {candidate}: for a cluster without a healthy leader. Bypasses Patroni's lag check.</summary>
    Task<PatroniCommandResult> FailoverAsync(Uri member, string candidate, CancellationToken cancellationToken);
}
