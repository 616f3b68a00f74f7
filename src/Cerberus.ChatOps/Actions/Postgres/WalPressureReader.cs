using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>Reads <see cref="WalPressure"/> (needs pg_monitor: pg_ls_waldir, pg_ls_archive_statusdir).</summary>
internal static class WalPressureReader
{
    /// <summary>
    /// The WAL pressure read on the primary, or why it cannot be: not configured, unreachable, or a standby
    /// (<paramref name="onStandby"/> says what to do instead). Shared by the proposals of the WAL actions.
    /// </summary>
    public static async Task<(WalPressure? Wal, string? Problem)> ReadFromPrimaryAsync(
        PostgresConnector postgres, string reading, string onStandby, CancellationToken cancellationToken)
    {
        if (!postgres.IsConfigured)
        {
            return (null, PostgresConnector.NotConfigured);
        }

        WalPressure wal;
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            wal = await ReadAsync(connection, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            return (null, $"Could not read {reading} on {postgres.DescribePrimary()}: {Domain.Text.SecretRedactor.Redact(ex.Message)}");
        }

        return wal.InRecovery ? (null, $"{postgres.DescribePrimary()} is a standby: {onStandby}") : (wal, null);
    }

    public static async Task<WalPressure> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        const string sql = """
            SELECT pg_is_in_recovery(),
                   (SELECT coalesce(sum(size), 0)::bigint FROM pg_ls_waldir()),
                   (SELECT count(*)::int FROM pg_ls_waldir()),
                   a.failed_count, a.last_failed_wal,
                   coalesce(a.last_failed_time > coalesce(a.last_archived_time, '-infinity'), false),
                   (SELECT count(*)::int FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'),
                   current_setting('wal_keep_size'), current_setting('max_wal_size'),
                   pg_size_bytes(current_setting('max_wal_size'))::bigint
            FROM pg_stat_archiver a
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        bool inRecovery;
        long walBytes, failed;
        int walFiles, ready;
        string? lastFailed;
        bool failing;
        string keep, max;
        long maxBytes;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            inRecovery = reader.GetBoolean(0);
            walBytes = reader.GetInt64(1);
            walFiles = reader.GetInt32(2);
            failed = reader.GetInt64(3);
            lastFailed = reader.IsDBNull(4) ? null : reader.GetString(4);
            failing = reader.GetBoolean(5);
            ready = reader.GetInt32(6);
            keep = reader.GetString(7);
            max = reader.GetString(8);
            maxBytes = reader.GetInt64(9);
        }

        return new WalPressure(inRecovery, walBytes, walFiles, await ReadSlotsAsync(connection, inRecovery, cancellationToken), failed, lastFailed, failing, ready, keep, max)
        {
            MaxWalSizeBytes = maxBytes,
        };
    }

    public static async Task<IReadOnlyList<ReplicationSlotInfo>> ReadSlotsAsync(NpgsqlConnection connection, bool inRecovery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var lsn = inRecovery ? "pg_last_wal_receive_lsn()" : "pg_current_wal_lsn()";
        await using var command = new NpgsqlCommand(
            $"SELECT slot_name::text, slot_type, active, wal_status, pg_wal_lsn_diff({lsn}, restart_lsn)::bigint, database::text, plugin::text FROM pg_replication_slots ORDER BY slot_name",
            connection);
        var slots = new List<ReplicationSlotInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            slots.Add(new ReplicationSlotInfo(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetBoolean(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return slots;
    }

    /// <summary>
    /// pg_wal's total size, and the part of it behind the current insert position (segments older than the current
    /// one: what slots, the archiver, wal_keep_size or the last checkpoint still hold). A checkpoint may recycle
    /// freed segments as future ones, so the total can stay while the part behind falls; that part is the WAL freed.
    /// </summary>
    public static async Task<(long Total, long Behind)> WalBytesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            """
            SELECT coalesce(sum(size), 0)::bigint,
                   coalesce(sum(size) FILTER (WHERE name ~ '^[0-9A-F]{24}$' AND substr(name, 9) < substr(pg_walfile_name(pg_current_wal_lsn()), 9)), 0)::bigint
            FROM pg_ls_waldir()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
