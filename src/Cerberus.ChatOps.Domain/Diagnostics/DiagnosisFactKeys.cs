namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>
/// Fact keys beyond <see cref="FactKeys"/> that the database and Patroni probes fill and the classifier reads.
/// Values are invariant-culture strings; booleans are "true"/"false".
/// </summary>
public static class DiagnosisFactKeys
{
    /// <summary>"true" when the probe had no configuration and did not run; the classifier ignores such results.</summary>
    public const string NotConfigured = "not_configured";

    /// <summary>host:port of the monitored PostgreSQL (never credentials).</summary>
    public const string PostgresTarget = "pg_target";

    /// <summary>The connect timeout that applied, in seconds.</summary>
    public const string ConnectTimeoutSeconds = "connect_timeout_s";

    /// <summary>After a connect timeout: "true" when TCP accepted (a hung server), "false" when TCP did not complete.</summary>
    public const string TcpAccepted = "tcp_accepted";

    /// <summary>The SQLSTATE of a connect failure (28P01, 53300, 57P03...).</summary>
    public const string SqlState = "sqlstate";

    /// <summary>"true" on a standby (pg_is_in_recovery()).</summary>
    public const string InRecovery = "in_recovery";

    public const string UsableConnections = "usable_connections";
    public const string OldestIdleInTransactionSeconds = "oldest_idle_in_tx_s";
    public const string LongestLockWaitSeconds = "longest_lock_wait_s";

    /// <summary>The client group with most connections: "application / user / client: count".</summary>
    public const string TopOffender = "top_offender";

    /// <summary>Members that answered /cluster, as "answered/configured".</summary>
    public const string PatroniReachable = "patroni_reachable";

    /// <summary>Members (name or URL) that timed out or refused, comma-separated.</summary>
    public const string PatroniUnreachable = "patroni_unreachable";

    /// <summary>"true" when the leader runs and its own /patroni answered with state running.</summary>
    public const string PatroniLeaderHealthy = "patroni_leader_healthy";

    /// <summary>Why the leader is not healthy (not answering, state...), when it is not.</summary>
    public const string PatroniLeaderProblem = "patroni_leader_problem";

    /// <summary>The best failover candidate: a running replica, numeric lag within maximum_lag_on_failover, no nofailover tag.</summary>
    public const string PatroniCandidate = "patroni_candidate";

    public const string PatroniCandidateLagBytes = "patroni_candidate_lag_bytes";

    /// <summary>Replicas not running, missing from /cluster, or on another timeline: "name (why)", comma-separated.</summary>
    public const string PatroniUnhealthyReplicas = "patroni_unhealthy_replicas";

    /// <summary>Replicas whose lag is "unknown" or above maximum_lag_on_failover: "name (lag)", comma-separated.</summary>
    public const string PatroniLaggingReplicas = "patroni_lagging_replicas";

    public const string PatroniMaxLagOnFailover = "patroni_max_lag_on_failover";

    /// <summary>Number of members with role leader in the /cluster view (more than one is a split brain).</summary>
    public const string PatroniLeaderCount = "patroni_leader_count";

    /// <summary>"true" when members answered /cluster with different leaders.</summary>
    public const string PatroniLeaderDisagreement = "patroni_leader_disagreement";

    /// <summary>Standbys in pg_stat_replication whose state is not streaming.</summary>
    public const string ReplicasNotStreaming = "replicas_not_streaming";

    public const string InactiveSlotNames = "inactive_slot_names";

    /// <summary>Slots with wal_status lost or unreserved.</summary>
    public const string LostSlots = "lost_slots";

    /// <summary>Names of the slots with wal_status lost (comma-separated): their WAL is gone, the consumer needs a reinit.</summary>
    public const string LostSlotNames = "lost_slot_names";

    /// <summary>On a standby: pg_stat_wal_receiver status, or "none" when no receiver runs.</summary>
    public const string WalReceiverStatus = "wal_receiver";

    public const string MaxWalSizeBytes = "max_wal_size_bytes";

    /// <summary>"true" when pg_wal holds more than <see cref="WalLimitBytes"/>.</summary>
    public const string WalOverLimit = "wal_over_limit";

    /// <summary>What pg_wal may hold before it is suspect: 2 × max(max_wal_size, wal_keep_size) + the WAL the slots retain.</summary>
    public const string WalLimitBytes = "wal_limit_bytes";

    /// <summary>host:port of the configured target (<c>Cerberus__Postgres__ConnectionString</c>), when the probes used another.</summary>
    public const string ConfiguredTarget = "pg_configured_target";

    /// <summary>Where the probes connected: "patroni_leader" (resolved from /cluster) or "configured".</summary>
    public const string TargetSource = "pg_target_source";

    /// <summary>The Patroni member whose PostgreSQL the probes used, when resolved from /cluster.</summary>
    public const string TargetMember = "pg_target_member";

    /// <summary>"true" when the configured target answered as a standby (pg_is_in_recovery()) although it should be the primary.</summary>
    public const string ConfiguredInRecovery = "configured_in_recovery";

    /// <summary>"true" when the configured database's system_identifier differs from the Patroni cluster's.</summary>
    public const string OutsideCluster = "outside_cluster";

    /// <summary>The configured database's system_identifier (pg_control_system()).</summary>
    public const string SystemIdentifier = "system_identifier";

    /// <summary>The Patroni cluster's database_system_identifier (/patroni).</summary>
    public const string ClusterSystemIdentifier = "cluster_system_identifier";

    /// <summary>Members that claim to be a primary (/patroni role master/primary, or pg_is_in_recovery() false), comma-separated, when more than one does.</summary>
    public const string SplitBrain = "split_brain";

    /// <summary>Replicas Patroni lists that pg_stat_replication on the leader lacks: "name (state)", comma-separated.</summary>
    public const string MissingStandbys = "missing_standbys";

    /// <summary>The last timeline switch in /history: new timeline, its leader, its age in seconds.</summary>
    public const string LastSwitchTimeline = "patroni_last_switch_timeline";

    public const string LastSwitchLeader = "patroni_last_switch_leader";

    /// <summary>The leader before the last switch (the previous /history entry's new_leader), when /history names it.</summary>
    public const string PreviousLeader = "patroni_previous_leader";

    public const string LastSwitchAgeSeconds = "patroni_last_switch_age_s";

    /// <summary>The time of the last timeline switch (ISO 8601, as /history gives it).</summary>
    public const string LastSwitchAt = "patroni_last_switch_at";

    /// <summary>archive_mode (on, always, off); off means no WAL archive and no point-in-time recovery.</summary>
    public const string ArchiveMode = "archive_mode";

    /// <summary>"true" when the bot's own role hit its CONNECTION LIMIT (53300 "too many connections for role").</summary>
    public const string RoleLimit = "role_limit";

    /// <summary>
    /// Bytes of temporary files in every tablespace's pgsql_tmp (<c>pg_ls_tmpdir()</c>, pg_monitor); absent when unknown.
    /// A lower bound: PostgreSQL 15 lists regular files only, so the shared filesets of parallel hash joins
    /// (subdirectories) are not counted.
    /// </summary>
    public const string TempFilesBytes = "temp_files_bytes";

    /// <summary>Bytes of the server log directory (<c>pg_ls_logdir()</c>, pg_monitor); absent when unknown, 0 when there is no such directory.</summary>
    public const string ServerLogBytes = "server_log_bytes";

    /// <summary>
    /// WAL segments waiting for the archiver (<c>.ready</c> in archive_status, pg_monitor) × wal_segment_size: pg_wal the
    /// server cannot recycle until they are archived; absent when unknown.
    /// </summary>
    public const string ArchiveReadyBytes = "archive_ready_bytes";

    /// <summary>The space consumers the disk probe could not measure (permission denied, error), comma-separated: "temp files", "server logs", ...</summary>
    public const string UnmeasuredConsumers = "unmeasured_consumers";
}
