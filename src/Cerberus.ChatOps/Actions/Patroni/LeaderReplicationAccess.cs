using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// Reads (and, for a member slot dropped behind Patroni's back, repairs) the leader's replication state with the operator credentials, on the host and port /cluster reports for the
/// leader (the configured host may be a Service that points elsewhere for a moment). Needs pg_monitor (pg_read_all_stats
/// shows the LSNs of other roles' walsenders and every database's size).
/// </summary>
internal sealed class LeaderReplicationAccess(PostgresConnector postgres) : ILeaderReplicationAccess
{
    private const string StandbysSql =
        """
        SELECT coalesce(application_name, ''), coalesce(state, '?'), coalesce(sync_state, '?'),
               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::int8
        FROM pg_stat_replication ORDER BY 1
        """;

    private const string SlotsSql =
        "SELECT slot_name::text, slot_type, active, coalesce(wal_status, '') FROM pg_replication_slots WHERE NOT temporary ORDER BY 1";

    /// <summary>Every database, template0 included: pg_basebackup copies the whole data directory.</summary>
    private const string SizeSql = "SELECT sum(pg_database_size(oid))::int8 FROM pg_database";

    private const string BasebackupSql =
        "SELECT phase, backup_total, backup_streamed FROM pg_stat_progress_basebackup ORDER BY pid LIMIT 1";

    public async Task<LeaderReplication> ReadAsync(PatroniMember leader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leader);
        if (!postgres.IsConfigured)
        {
            return LeaderReplication.Unreadable(PostgresConnector.NotConfigured);
        }

        try
        {
            await using var connection = await postgres.OpenMemberAsync(leader.Host ?? "localhost", leader.Port ?? 5432, cancellationToken);
            if (await PrimaryCheck.InRecoveryAsync(connection, cancellationToken))
            {
                return LeaderReplication.Unreadable($"PostgreSQL on {Where(leader)} is in recovery: it is not the primary /cluster says it is");
            }

            var standbys = new List<StandbyConnection>();
            await using (var command = new NpgsqlCommand(StandbysSql, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    standbys.Add(new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
                }
            }

            var slots = new List<LeaderSlot>();
            await using (var command = new NpgsqlCommand(SlotsSql, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    slots.Add(new(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetString(3)));
                }
            }

            long? size = null;
            string? sizeError = null;
            try
            {
                await using var command = new NpgsqlCommand(SizeSql, connection);
                size = await command.ExecuteScalarAsync(cancellationToken) is long bytes ? bytes : null;
                sizeError = size is null ? "pg_database_size returned nothing" : null;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // A database whose CONNECT was revoked, for a role without pg_read_all_stats.
                sizeError = SecretRedactor.Redact(ex.MessageText);
            }

            return new(standbys, slots, size, sizeError);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return LeaderReplication.Unreadable($"could not read replication on {Where(leader)}: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    public async Task<BasebackupProgress?> ReadBasebackupAsync(PatroniMember leader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leader);
        if (!postgres.IsConfigured)
        {
            return null;
        }

        try
        {
            await using var connection = await postgres.OpenMemberAsync(leader.Host ?? "localhost", leader.Port ?? 5432, cancellationToken);
            await using var command = new NpgsqlCommand(BasebackupSql, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new BasebackupProgress(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? 0 : reader.GetInt64(2))
                : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    public async Task<(bool Created, string? Error)> CreateMemberSlotAsync(PatroniMember leader, string slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leader);
        if (!postgres.IsConfigured)
        {
            return (false, PostgresConnector.NotConfigured);
        }

        try
        {
            await using var connection = await postgres.OpenMemberAsync(leader.Host ?? "localhost", leader.Port ?? 5432, cancellationToken);
            if (await PrimaryCheck.InRecoveryAsync(connection, cancellationToken))
            {
                return (false, $"PostgreSQL on {Where(leader)} is in recovery now: no slot is created on a standby");
            }

            await using var command = new NpgsqlCommand(
                "SELECT pg_catalog.pg_create_physical_replication_slot(@slot, true) IS NOT NULL" +
                " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_type = 'physical' AND slot_name = @slot)", connection);
            command.Parameters.AddWithValue("slot", slot);
            return (await command.ExecuteScalarAsync(cancellationToken) is true, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return (false, $"could not create slot {slot} on {Where(leader)}: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    private static string Where(PatroniMember member) => $"{member.Name} ({member.Host}:{member.Port})";
}
