using Cerberus.ChatOps.Kubernetes;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// What the clean-up's guard reads before it proposes and before every step: the data volume's free space (df in the
/// leader's pod, or unknown), max_wal_size, pg_wal, the largest unflushed WAL of a standby, the archiver and the slots.
/// </summary>
internal sealed record CleanupConditions(
    FreeSpace Free,
    long MaxWalSizeBytes,
    long WalBytes,
    long UnflushedBytes,
    bool ArchiverFailing,
    long ArchiverFailedCount,
    string? LastFailedWal,
    IReadOnlyList<ReplicationSlotInfo> Slots)
{
    /// <summary>Inactive slots that pin WAL (a lost slot, with no restart_lsn, pins none).</summary>
    public IReadOnlyList<ReplicationSlotInfo> RetainingSlots => [.. Slots.Where(s => !s.Active && s.RetainedBytes > 0)];
}
