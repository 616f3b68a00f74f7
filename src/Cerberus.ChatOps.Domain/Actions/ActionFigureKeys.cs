namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>
/// Well-known keys of <see cref="ActionRecord.Figures"/>: what an action records (through
/// <see cref="Incidents.Incident.RecordExecution"/>) for the post-incident document. Values are invariant-culture
/// text: byte counts and row counts as integers, seconds and rates as decimals with a dot, LSNs in PostgreSQL's
/// <c>X/Y</c> hexadecimal form, booleans as <c>true</c>/<c>false</c>.
/// </summary>
public static class ActionFigureKeys
{
    /// <summary><see cref="FailoverModeSwitchover"/> (graceful, from a healthy leader) or <see cref="FailoverModeFailover"/> (no healthy leader).</summary>
    public const string FailoverMode = "failover_mode";

    /// <summary>Value of <see cref="FailoverMode"/>: Patroni demoted a healthy leader gracefully; nothing is lost.</summary>
    public const string FailoverModeSwitchover = "switchover";

    /// <summary>Value of <see cref="FailoverMode"/>: the candidate was promoted without a healthy leader; WAL may be lost.</summary>
    public const string FailoverModeFailover = "failover";

    /// <summary>The Patroni member that led before the action.</summary>
    public const string OldLeader = "old_leader";

    /// <summary>The Patroni member that leads after the action.</summary>
    public const string NewLeader = "new_leader";

    /// <summary>The timeline before the action (an integer).</summary>
    public const string TimelineBefore = "timeline_before";

    /// <summary>The timeline after the action (an integer; the previous one + 1 after a promotion).</summary>
    public const string TimelineAfter = "timeline_after";

    /// <summary>The LSN where the new timeline starts, from Patroni's <c>/history</c> (e.g. <c>0/3400000</c>).</summary>
    public const string SwitchpointLsn = "switchpoint_lsn";

    /// <summary>The last LSN the old leader was known to have written (DCS <c>/cluster</c> or monitoring): a lower bound.</summary>
    public const string OldLeaderLastLsn = "old_leader_last_lsn";

    /// <summary><c>pg_last_wal_receive_lsn()</c> on the candidate before its promotion.</summary>
    public const string CandidateReceivedLsn = "candidate_received_lsn";

    /// <summary>The data loss in bytes the action estimated (used when the LSNs above are not all recorded).</summary>
    public const string EstimatedLossBytes = "estimated_loss_bytes";

    /// <summary>
    /// <c>true</c> when <see cref="EstimatedLossBytes"/> of a failover was measured (against the leader's last optime in
    /// the DCS, or a healthy leader's live LSN); <c>false</c> when it is only Patroni's /cluster figure or unknown.
    /// </summary>
    public const string LossLowerMeasured = "loss_lower_measured";

    /// <summary>The most a failover can have lost, in bytes: Patroni's recorded lag + ttl × WAL rate (absent = unknown).</summary>
    public const string LossUpperBytes = "loss_upper_bytes";

    /// <summary>Patroni's ttl in seconds when the failover was planned (how long the leader could write after its last optime).</summary>
    public const string PatroniTtlSeconds = "patroni_ttl_s";

    /// <summary>The old leader after a promotion: <c>replica</c> (back on the new timeline), <c>not back</c>, or <c>unknown</c>.</summary>
    public const string OldLeaderState = "old_leader_state";

    /// <summary>The data loss in seconds of writes the action estimated.</summary>
    public const string EstimatedLossSeconds = "estimated_loss_seconds";

    /// <summary>The recent WAL rate in bytes per second, to turn lost bytes into time.</summary>
    public const string WalRateBytesPerSecond = "wal_rate_bytes_per_s";

    /// <summary><c>true</c> when the old primary must be fenced (hung, not dead: it could take the leader lock back).</summary>
    public const string FenceOldPrimary = "fence_old_primary";

    /// <summary>Rows deleted by the audit-log clean-up.</summary>
    public const string RowsDeleted = "rows_deleted";

    /// <summary>Bytes freed on the data volume by a clean-up, slot drop or checkpoint.</summary>
    public const string BytesFreed = "bytes_freed";

    /// <summary>The backend's replica count before it was scaled down (what the undo restores).</summary>
    public const string ReplicasBefore = "replicas_before";

    /// <summary>The backend's replica count after the action.</summary>
    public const string ReplicasAfter = "replicas_after";

    /// <summary>The replication slot dropped.</summary>
    public const string SlotName = "slot_name";

    /// <summary>How long the side effect took, in seconds.</summary>
    public const string DurationSeconds = "duration_s";

    /// <summary>WAL bytes freed by a slot drop or a checkpoint (WAL size before − after).</summary>
    public const string WalFreedBytes = "wal_freed_bytes";

    /// <summary>How many sessions pg_terminate_backend ended.</summary>
    public const string SessionsTerminated = "sessions_terminated";

    /// <summary>Client connections before the action (pg_stat_activity, client backends).</summary>
    public const string ConnectionsBefore = "connections_before";

    /// <summary>Client connections after the action.</summary>
    public const string ConnectionsAfter = "connections_after";

    /// <summary>The tables an ANALYZE action analysed (schema.table, comma-separated).</summary>
    public const string TablesAnalyzed = "tables_analyzed";

    /// <summary>What a replica rebuild copies: the sum of pg_database_size on the leader in bytes, or <c>unknown</c>.</summary>
    public const string BytesToCopy = "bytes_to_copy";

    /// <summary>The states a rebuilt member went through, as Patroni reported them (e.g. <c>running → stopping → creating replica → running</c>).</summary>
    public const string MemberStates = "member_states";

    /// <summary>The PVC a volume expansion grew (namespace/name).</summary>
    public const string VolumeClaim = "volume_claim";

    /// <summary>The PVC's <c>status.capacity.storage</c> in bytes before the expansion.</summary>
    public const string VolumeCapacityBefore = "volume_capacity_before_bytes";

    /// <summary>The PVC's <c>status.capacity.storage</c> in bytes after the expansion (absent until it changed).</summary>
    public const string VolumeCapacityAfter = "volume_capacity_after_bytes";

    /// <summary>The <c>spec.resources.requests.storage</c> the expansion set, in bytes.</summary>
    public const string VolumeRequestedBytes = "volume_requested_bytes";
}
