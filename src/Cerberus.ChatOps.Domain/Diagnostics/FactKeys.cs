namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>Well-known keys of <see cref="ProbeResult.Facts"/>, shared by probes, the classifier and the report.</summary>
public static class FactKeys
{
    /// <summary>Connectivity outcome: ok, refused, timeout, auth, too_many_clients, error.</summary>
    public const string Connectivity = "connectivity";

    public const string ClientConnections = "clients";
    public const string MaxConnections = "max_connections";
    public const string ReservedConnections = "reserved_connections";

    /// <summary>Client connections over (max_connections − reserved), in percent.</summary>
    public const string SaturationPercent = "saturation_pct";

    public const string IdleInTransaction = "idle_in_transaction";
    public const string LockWaiters = "lock_waiters";
    public const string LongestTransactionSeconds = "longest_xact_s";

    public const string PatroniLeader = "patroni_leader";
    public const string PatroniTimeline = "patroni_timeline";
    public const string PatroniMembers = "patroni_members";
    public const string PatroniPaused = "patroni_paused";

    /// <summary>Largest replica lag in bytes as Patroni reports it.</summary>
    public const string MaxReplicaLagBytes = "max_replica_lag_bytes";

    public const string ReplicationStreaming = "replicas_streaming";
    public const string MaxUnflushedBytes = "max_unflushed_bytes";
    public const string InactiveSlots = "inactive_slots";
    public const string SlotRetainedBytes = "slot_retained_bytes";
    public const string ArchiverFailing = "archiver_failing";
    public const string ArchiveReadyCount = "archive_ready";

    public const string WalBytes = "wal_bytes";
    public const string DatabaseBytes = "database_bytes";

    /// <summary>Used space of the data volume, in percent (when Kubernetes tells).</summary>
    public const string DiskUsedPercent = "disk_used_pct";

    public const string DiskFreeBytes = "disk_free_bytes";
    public const string LogErrorSignatures = "log_signatures";
    public const string AppHttpStatus = "app_status";
    public const string AppLatencyMs = "app_latency_ms";
}
