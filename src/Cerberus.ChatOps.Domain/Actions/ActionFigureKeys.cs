namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>Keys of <see cref="ActionRecord.Figures"/>: what actions record for the post-incident document.</summary>
public static class ActionFigureKeys
{
    /// <summary>switchover (healthy leader, graceful) or failover (no healthy leader).</summary>
    public const string FailoverMode = "failover_mode";

    public const string OldLeader = "old_leader";
    public const string NewLeader = "new_leader";
    public const string TimelineBefore = "timeline_before";
    public const string TimelineAfter = "timeline_after";

    /// <summary>The new timeline's switchpoint LSN from /history (pg_lsn text, e.g. 0/3400000).</summary>
    public const string SwitchpointLsn = "switchpoint_lsn";

    /// <summary>The old leader's last known LSN (lower bound when it was dead).</summary>
    public const string OldLeaderLastLsn = "old_leader_last_lsn";

    /// <summary>The candidate's received/flushed LSN at promotion.</summary>
    public const string CandidateReceivedLsn = "candidate_received_lsn";

    public const string EstimatedLossBytes = "estimated_loss_bytes";
    public const string EstimatedLossSeconds = "estimated_loss_seconds";
    public const string WalRateBytesPerSecond = "wal_rate_bytes_per_s";

    /// <summary>true when the old primary must be fenced (Patroni 3.0.2's stale-primary bug).</summary>
    public const string FenceOldLeader = "fence_old_leader";

    public const string ReplicasBefore = "replicas_before";
    public const string ReplicasAfter = "replicas_after";
    public const string RowsDeleted = "rows_deleted";
    public const string BytesFreed = "bytes_freed";
    public const string SlotName = "slot_name";
    public const string WalFreedBytes = "wal_freed_bytes";
}
