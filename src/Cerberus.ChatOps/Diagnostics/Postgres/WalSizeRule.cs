namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// How much pg_wal may hold before it is suspect (dba-review defect 10). Checkpoints keep up to about max_wal_size,
/// wal_keep_size keeps that much on purpose, and replication slots keep everything since their oldest restart_lsn; so
/// the limit is 2 × max(max_wal_size, wal_keep_size) + the WAL the slots retain (the largest retention: slots overlap).
/// Above it something else holds WAL: usually the archiver (.ready files).
/// </summary>
internal static class WalSizeRule
{
    public static long Limit(long maxWalSizeBytes, long walKeepSizeBytes, long slotRetainedBytes) =>
        (2 * Math.Max(maxWalSizeBytes, walKeepSizeBytes)) + Math.Max(0, slotRetainedBytes);

    public static bool Over(long walBytes, long maxWalSizeBytes, long walKeepSizeBytes, long slotRetainedBytes) =>
        walBytes > Limit(maxWalSizeBytes, walKeepSizeBytes, slotRetainedBytes);
}
