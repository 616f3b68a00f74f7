using System.Text;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>Why pg_wal holds what it holds: its size, the slots, the archiver and wal_keep_size.</summary>
internal sealed record WalPressure(
    bool InRecovery,
    long WalBytes,
    int WalFiles,
    IReadOnlyList<ReplicationSlotInfo> Slots,
    long ArchiverFailedCount,
    string? LastFailedWal,
    bool ArchiverFailingNow,
    int ReadyFiles,
    string WalKeepSize,
    string MaxWalSize)
{
    /// <summary>max_wal_size in bytes (pg_size_bytes).</summary>
    public long MaxWalSizeBytes { get; init; }

    /// <summary>Why the runbook's <c>pg_archivecleanup</c> on pg_wal is never offered.</summary>
    public const string ArchiveCleanupWarning =
        "The runbook's `pg_archivecleanup` on pg_wal is not offered: it is meant for a WAL *archive* directory, while the files in pg_wal belong to the server — deleting them breaks crash recovery, standbys, replication slots and point-in-time recovery.";

    /// <summary>The causes, one sentence each, as the approval card shows them.</summary>
    public string Causes()
    {
        var sb = new StringBuilder();
        sb.Append($"pg_wal holds {ByteSize.Format(WalBytes)} in {WalFiles} files (max_wal_size {MaxWalSize}, wal_keep_size {WalKeepSize}).");
        foreach (var slot in Slots.Where(s => !s.Active).OrderByDescending(s => s.RetainedBytes ?? 0))
        {
            sb.Append($" Inactive {slot.Type} slot {slot.Name} retains {(slot.RetainedBytes is { } r ? ByteSize.Format(r) : "unknown")} (wal_status {slot.WalStatus ?? "unknown"}).");
        }

        if (ArchiverFailingNow)
        {
            sb.Append($" The archiver is failing now (failed_count {ArchiverFailedCount}, last failed {LastFailedWal}); {ReadyFiles} segments wait for archiving and cannot be removed until archive_command works again.");
        }
        else if (ReadyFiles > 0)
        {
            sb.Append($" {ReadyFiles} segments wait for archiving (.ready).");
        }

        if (!string.Equals(WalKeepSize, "0", StringComparison.Ordinal))
        {
            sb.Append($" wal_keep_size {WalKeepSize} keeps that much WAL on purpose.");
        }

        return sb.ToString();
    }
}
