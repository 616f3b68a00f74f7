using System.Globalization;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The clean-up's disk rules, as pure functions (dba-review defect 1). DELETE frees no disk space and every batch writes
/// WAL, so the run may only go on while the data volume keeps a floor of free space after the WAL of its next step:
/// floor = max(FreeSpaceFloorWalMultiple × max_wal_size, FreeSpaceFloorPercent % of the volume). It never goes on while
/// the archiver fails (no WAL can be recycled) or an inactive slot pins WAL (fix those first), nor while a standby lags
/// more than MaxUnflushedBytes. When free space is unknown it says so: a run approved with free space measured pauses
/// until it is measured again; a run approved without it is bounded by the fixed pg_wal ceiling MaxWalBytes instead.
/// </summary>
internal static class CleanupGuard
{
    /// <summary>Bytes of WAL one deleted row writes besides a full-page image: the heap-delete record (rounded up).</summary>
    public const long DeleteRecordBytes = 64;

    /// <summary>The free space the volume must keep: max(multiple × max_wal_size, percent % of the volume).</summary>
    public static long Floor(long volumeBytes, long maxWalSizeBytes, CleanupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byWal = (long)Math.Ceiling(options.FreeSpaceFloorWalMultiple * maxWalSizeBytes);
        var byVolume = (long)Math.Ceiling(volumeBytes * options.FreeSpaceFloorPercent / 100);
        return Math.Max(byWal, byVolume);
    }

    /// <summary>
    /// The most WAL one batch can write: a full-page image of a different heap page for every row plus its record (the
    /// worst case right after a checkpoint), or the most a batch of this run was measured to write, whichever is larger
    /// (TOASTed rows delete their chunks too).
    /// </summary>
    public static long BatchWalBound(int batchSize, int blockSize, long largestMeasured) =>
        Math.Max(batchSize * (blockSize + DeleteRecordBytes), largestMeasured);

    /// <summary>
    /// The most WAL the VACUUM can write: a full-page image of every page of the table and its indexes; VACUUM FULL
    /// writes a whole new copy and needs that much disk as well, so twice that.
    /// </summary>
    public static long VacuumWalBound(long totalRelationBytes, bool full) => full ? 2 * totalRelationBytes : totalRelationBytes;

    /// <summary>
    /// Null when the next step (writing at most <paramref name="nextStepWal"/> bytes of WAL) may run; otherwise why not,
    /// one clause. <paramref name="measuredAtApproval"/>: the approval was given with free space measured.
    /// </summary>
    public static string? Blocker(CleanupConditions conditions, CleanupOptions options, long nextStepWal, bool measuredAtApproval)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(options);
        if (conditions.ArchiverFailing)
        {
            return $"the archiver is failing (pg_stat_archiver: last_failed_time is newer than last_archived_time, failed_count {conditions.ArchiverFailedCount}, last failed {conditions.LastFailedWal ?? "?"}): no WAL can be recycled until archive_command works again";
        }

        if (conditions.RetainingSlots is { Count: > 0 } slots)
        {
            return "inactive replication slot " + string.Join(", ", slots.Select(s => $"{s.Name} retains {ByteSize.Format(s.RetainedBytes ?? 0)}")) + " of WAL: drop it or bring its consumer back first";
        }

        if (conditions.UnflushedBytes > options.MaxUnflushedBytes)
        {
            return $"a standby has {ByteSize.Format(conditions.UnflushedBytes)} unflushed WAL (> {ByteSize.Format(options.MaxUnflushedBytes)})";
        }

        var free = conditions.Free;
        if (free.Known)
        {
            var floor = Floor(free.TotalBytes!.Value, conditions.MaxWalSizeBytes, options);
            var headroom = free.AvailableBytes!.Value - floor;
            return headroom >= nextStepWal
                ? null
                : $"free space {Size(free.AvailableBytes.Value)} ({free.Where}) minus the floor {Size(floor)} {FloorRule(free.TotalBytes.Value, conditions.MaxWalSizeBytes, options)} leaves {ByteSize.Format(headroom)}, less than the {ByteSize.Format(nextStepWal)} of WAL the next step can write";
        }

        if (measuredAtApproval)
        {
            return $"free space unknown now ({free.UnknownReason}), while the approval was given with it measured";
        }

        return conditions.WalBytes > options.MaxWalBytes
            ? $"free space unknown ({free.UnknownReason}) and pg_wal holds {ByteSize.Format(conditions.WalBytes)} (> {ByteSize.Format(options.MaxWalBytes)}, the fallback bound)"
            : null;
    }

    /// <summary>What the card says about free space and how the run is bounded by it.</summary>
    public static string Describe(CleanupConditions conditions, CleanupOptions options, long batchWal)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(options);
        var free = conditions.Free;
        if (!free.Known)
        {
            return $"Free space unknown ({free.UnknownReason}): the free-space floor cannot be checked, so the batches pause instead while pg_wal exceeds {ByteSize.Format(options.MaxWalBytes)} (the fixed fallback), and the room for the VACUUM is not checked; the archiver, slot and replication checks still apply.";
        }

        var floor = Floor(free.TotalBytes!.Value, conditions.MaxWalSizeBytes, options);
        return $"Free space: {ByteSize.Format(free.AvailableBytes!.Value)} of {ByteSize.Format(free.TotalBytes.Value)} ({free.Where}); floor {ByteSize.Format(floor)} {FloorRule(free.TotalBytes.Value, conditions.MaxWalSizeBytes, options)}. " +
               $"Before every batch free space is measured again, and the run pauses while free space minus the floor is less than the WAL a batch can write (at most {ByteSize.Format(batchWal)}: a full-page image per row, or the most a batch was measured to write).";
    }

    /// <summary>Bytes as <see cref="ByteSize"/>, but gibibytes with two decimals: free space and floor differ by mebibytes here.</summary>
    private static string Size(long bytes) =>
        Math.Abs(bytes) >= 1L << 30 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB") : ByteSize.Format(bytes);

    private static string FloorRule(long volumeBytes, long maxWalSizeBytes, CleanupOptions options) =>
        string.Create(CultureInfo.InvariantCulture,
            $"(max({options.FreeSpaceFloorWalMultiple:0.##} × max_wal_size {ByteSize.Format(maxWalSizeBytes)}, {options.FreeSpaceFloorPercent:0.##} % of {ByteSize.Format(volumeBytes)}))");
}
