using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Reads what transaction-ID wraparound depends on, for the wraparound probe and the VACUUM (FREEZE) action alike:
/// age(datfrozenxid) per database, the tables of the connected database with the oldest relfrozenxid (their TOAST
/// table's counted too: VACUUM of the table freezes both), and what holds the xmin horizon back (sessions'
/// backend_xid/backend_xmin, prepared transactions, slots' xmin/catalog_xmin), and the same ages for MultiXactIds
/// (mxid_age(datminmxid), relminmxid; no view names what holds the multixact horizon back: the oldest running
/// transaction does). Sizes come from pg_class.relpages, so no relation is opened (nothing queues behind an ACCESS
/// EXCLUSIVE lock). Everything is readable with pg_monitor.
/// </summary>
internal static class XidHorizonReader
{
    private const string SettingsSql =
        """
        SELECT current_setting('autovacuum_freeze_max_age')::int8, current_setting('vacuum_failsafe_age')::int8,
               current_database()::text, pg_is_in_recovery(),
               current_setting('autovacuum_multixact_freeze_max_age')::int8, current_setting('vacuum_multixact_failsafe_age')::int8
        """;

    private const string DatabasesSql = "SELECT datname::text, age(datfrozenxid)::int8, mxid_age(datminmxid)::int8 FROM pg_database ORDER BY 2 DESC, 1";

    private const string TablesSql =
        """
        SELECT c.oid::int8, n.nspname::text, c.relname::text,
               greatest(age(c.relfrozenxid), age(t.relfrozenxid))::int8 AS age,
               ((c.relpages::int8 + coalesce(t.relpages, 0)::int8) * current_setting('block_size')::int8) AS bytes,
               c.relpersistence = 't' AS temporary,
               greatest(mxid_age(c.relminmxid), mxid_age(t.relminmxid))::int8 AS mxid_age,
               (pg_has_role(current_user, c.relowner, 'USAGE')
                OR (NOT c.relisshared AND pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE'))) AS may_vacuum
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
        WHERE c.relkind IN ('r', 'm') /*filter*/
        ORDER BY greatest(greatest(age(c.relfrozenxid), age(t.relfrozenxid))::float8 / @xid_threshold,
                          greatest(mxid_age(c.relminmxid), mxid_age(t.relminmxid))::float8 / @mxid_threshold) DESC, c.oid
        LIMIT @limit
        """;

    private const string HoldersSql =
        """
        SELECT * FROM (
          SELECT 'session' AS kind, pid::text AS name, greatest(age(backend_xid), age(backend_xmin))::int8 AS age,
                 format('session %s (%s, %s@%s, application %s, %s, transaction open since %s)', pid, backend_type,
                        coalesce(usename, '?'), coalesce(datname, '?'), coalesce(nullif(application_name, ''), '?'),
                        coalesce(state, '?'), coalesce(to_char(xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'unknown')) AS text,
                 true AS active, greatest(age(backend_xid), age(backend_xmin))::int8 AS user_age
          FROM pg_stat_activity
          WHERE (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL) AND pid <> pg_backend_pid()
            AND application_name IS DISTINCT FROM 'cerberus-chatops'
          UNION ALL
          SELECT 'prepared', gid, age(transaction)::int8,
                 format('prepared transaction ''%s'' (database %s, owner %s, prepared at %s)', gid, database, owner,
                        to_char(prepared AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                 false, age(transaction)::int8
          FROM pg_prepared_xacts
          UNION ALL
          SELECT 'slot', slot_name::text, greatest(age(xmin), age(catalog_xmin))::int8,
                 format('%s slot %s (%s%s)', slot_type, slot_name, CASE WHEN active THEN 'active' ELSE 'inactive' END,
                        CASE WHEN catalog_xmin IS NOT NULL THEN ', catalog_xmin' ELSE ', xmin' END),
                 active, coalesce(age(xmin), 0)::int8
          FROM pg_replication_slots
          WHERE xmin IS NOT NULL OR catalog_xmin IS NOT NULL) h
        WHERE age >= @min_age
        ORDER BY age DESC, name
        """;

    private const string InactiveSlotsSql = "SELECT count(*)::int8 FROM pg_replication_slots WHERE NOT active";

    public static async Task<XidSettings> SettingsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SettingsSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new XidSettings(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetBoolean(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    /// <summary>Every database with age(datfrozenxid) and mxid_age(datminmxid), oldest by XID first.</summary>
    public static Task<List<(string Name, long Age, long MultixactAge)>> DatabasesAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ReadAsync(connection, DatabasesSql, [], r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);

    /// <summary>
    /// The <paramref name="limit"/> tables furthest along towards either threshold (TOAST included): ordered by the
    /// larger of age(relfrozenxid) / <paramref name="xidThreshold"/> and mxid_age(relminmxid) / <paramref name="multixactThreshold"/>.
    /// </summary>
    public static Task<List<XidTable>> OldestTablesAsync(NpgsqlConnection connection, int limit, long xidThreshold, long multixactThreshold, CancellationToken cancellationToken) =>
        ReadAsync(connection, TablesSql,
            [new NpgsqlParameter("limit", limit), .. Thresholds(xidThreshold, multixactThreshold)], Table, cancellationToken);

    /// <summary>The tables whose oids are given, as they are now (a table that is gone is absent).</summary>
    public static Task<List<XidTable>> TablesAsync(NpgsqlConnection connection, IReadOnlyCollection<long> oids, CancellationToken cancellationToken) =>
        ReadAsync(connection, TablesSql.Replace("/*filter*/", "AND c.oid::int8 = ANY(@oids)", StringComparison.Ordinal),
            [new NpgsqlParameter("limit", Math.Max(1, oids.Count)), new NpgsqlParameter("oids", oids.ToArray()), .. Thresholds(1, 1)], Table, cancellationToken);

    private static NpgsqlParameter[] Thresholds(long xidThreshold, long multixactThreshold) =>
        [new NpgsqlParameter("xid_threshold", (double)Math.Max(1, xidThreshold)), new NpgsqlParameter("mxid_threshold", (double)Math.Max(1, multixactThreshold))];

    /// <summary>Everything that holds the horizon at least <paramref name="minAge"/> transactions back, oldest first.</summary>
    public static Task<List<XidHolder>> HoldersAsync(NpgsqlConnection connection, long minAge, CancellationToken cancellationToken) =>
        ReadAsync(connection, HoldersSql, [new NpgsqlParameter("min_age", minAge)],
            r => new XidHolder(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetBoolean(4), r.GetInt64(5)), cancellationToken);

    /// <summary>
    /// pg_table_size (heap, TOAST, maps) for a card's cost estimate: it opens the table, so it waits at most the
    /// session's lock_timeout behind an ACCESS EXCLUSIVE lock; then null (the caller keeps the pg_class estimate).
    /// </summary>
    public static async Task<long?> TableSizeAsync(NpgsqlConnection connection, long oid, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_table_size(@oid::int8::oid)::int8", connection);
            command.Parameters.AddWithValue("oid", oid);
            return await command.ExecuteScalarAsync(cancellationToken) as long?;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return null;
        }
    }

    public static async Task<long> InactiveSlotsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InactiveSlotsSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static XidTable Table(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetBoolean(5), r.GetInt64(6), r.GetBoolean(7));

    private static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
