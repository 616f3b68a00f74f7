using Cerberus.ChatOps.Kubernetes;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Reads <see cref="CleanupConditions"/>: the WAL side through <see cref="WalPressureReader"/> (pg_wal, archiver, slots,
/// max_wal_size, as the WAL actions read it), the largest unflushed WAL of a standby, and free space through the
/// volume probe's own measure (<see cref="DataVolumeMeter"/>: df in the leader's pod).
/// </summary>
internal static class CleanupConditionsReader
{
    public static async Task<CleanupConditions> ReadAsync(NpgsqlConnection connection, DataVolumeMeter volume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var wal = await WalPressureReader.ReadAsync(connection, cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE coalesce((SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)) FROM pg_stat_replication), 0) END::bigint", connection);
        var unflushed = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        var free = await volume.MeasureLeaderAsync(cancellationToken);
        return new CleanupConditions(free, wal.MaxWalSizeBytes, wal.WalBytes, unflushed, wal.ArchiverFailingNow, wal.ArchiverFailedCount, wal.LastFailedWal, wal.Slots);
    }

    /// <summary>The current WAL insert position as a byte count (for the WAL one batch wrote).</summary>
    public static async Task<long> WalPositionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
