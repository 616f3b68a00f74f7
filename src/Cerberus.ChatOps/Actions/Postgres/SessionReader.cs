using Npgsql;
using NpgsqlTypes;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The session clean-up's SQL: the candidates (and the approved pids again) from <c>pg_stat_activity</c> with whom
/// each blocks (<c>pg_blocking_pids</c>, waits dated by <c>pg_locks.waitstart</c>), the server's connection figures,
/// and the guarded <c>pg_terminate_backend</c> that re-checks every condition in the same statement.
/// </summary>
internal static class SessionReader
{
    /// <summary>backend_start / xact_start as microseconds since the epoch: exact from PostgreSQL 14 (extract returns numeric; a double before).</summary>
    private const string BackendStartMicros = "floor(extract(epoch FROM s.backend_start) * 1000000)::bigint";

    private const string XactStartMicros = "floor(extract(epoch FROM s.xact_start) * 1000000)::bigint";

    private const string RowsSql =
        """
        WITH waiters AS (
            SELECT w.pid, extract(epoch FROM now() - {WAITSTART})::float8 AS wait_s,
                   pg_blocking_pids(w.pid) AS blockers
            FROM pg_stat_activity w
            WHERE w.wait_event_type = 'Lock'
        ), blocks AS (
            SELECT b.pid, count(*)::int AS victims, max(wt.wait_s) AS longest_wait_s
            FROM waiters wt, unnest(wt.blockers) AS b(pid)
            GROUP BY b.pid
        )
        SELECT s.pid, {BS}, {XS},
               coalesce(s.usename, ''), coalesce(s.application_name, ''), coalesce(host(s.client_addr), 'local'),
               coalesce(s.state, ''), coalesce(s.backend_type, ''), left(s.query, 200),
               extract(epoch FROM now() - s.state_change)::float8, extract(epoch FROM now() - s.xact_start)::float8,
               coalesce(bl.victims, 0), bl.longest_wait_s,
               EXISTS (SELECT 1 FROM waiters wt WHERE wt.pid = s.pid),
               coalesce(r.rolsuper, false), coalesce(r.rolreplication, false)
        FROM pg_stat_activity s
        LEFT JOIN blocks bl ON bl.pid = s.pid
        LEFT JOIN pg_roles r ON r.oid = s.usesysid
        WHERE s.pid <> pg_backend_pid()
          AND (s.state LIKE 'idle in transaction%' OR bl.pid IS NOT NULL OR s.pid = ANY (@pids))
        """;

    private const string TerminateSql =
        """
        SELECT a.pid, pg_terminate_backend(a.pid)
        FROM unnest(@pids, @starts, @xacts, @idle, @root) AS a(pid, bs, xs, idle, root)
        JOIN pg_stat_activity s ON s.pid = a.pid
        LEFT JOIN pg_roles r ON r.oid = s.usesysid
        WHERE s.pid <> pg_backend_pid()
          AND NOT coalesce(r.rolsuper, false)
          AND {BS} = a.bs
          AND ((a.idle AND s.state LIKE 'idle in transaction%' AND {XS} IS NOT DISTINCT FROM a.xs)
               OR (a.root AND EXISTS (SELECT 1 FROM pg_stat_activity w WHERE w.wait_event_type = 'Lock' AND s.pid = ANY (pg_blocking_pids(w.pid)))))
        """;

    /// <summary>Sessions idle in transaction, sessions that block someone, and the pids in <paramref name="pids"/>, by pid.</summary>
    public static async Task<Dictionary<int, SessionRow>> RowsAsync(NpgsqlConnection connection, IReadOnlyCollection<int> pids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // pg_locks.waitstart exists from PostgreSQL 14: the time the wait began; older servers date it by state_change.
        var waitStart = connection.PostgreSqlVersion.Major >= 14
            ? "coalesce((SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = w.pid AND NOT l.granted), w.state_change)"
            : "w.state_change";
        await using var command = new NpgsqlCommand(Expand(RowsSql).Replace("{WAITSTART}", waitStart, StringComparison.Ordinal), connection);
        command.Parameters.Add(new NpgsqlParameter("pids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = pids.ToArray() });
        var rows = new Dictionary<int, SessionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // No backend_start (another role's session seen without pg_read_all_stats): it cannot be bound, so it is never offered.
            if (reader.IsDBNull(1))
            {
                continue;
            }

            var row = new SessionRow(
                reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetDouble(9), reader.IsDBNull(10) ? null : reader.GetDouble(10),
                reader.GetInt32(11), reader.IsDBNull(12) ? null : reader.GetDouble(12),
                reader.GetBoolean(13), reader.GetBoolean(14), reader.GetBoolean(15));
            rows[row.Pid] = row;
        }

        return rows;
    }

    /// <summary>The server as the clean-up needs it: primary or not, client connections, usable slots, and whether this role may signal other backends.</summary>
    public static async Task<ServerSessions> ServerAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        const string sql = """
            SELECT pg_is_in_recovery(),
                   (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend'),
                   current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int,
                   coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) OR pg_has_role(current_user, 'pg_signal_backend', 'USAGE'),
                   coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ServerSessions(reader.GetBoolean(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetBoolean(3), reader.GetBoolean(4));
    }

    /// <summary>
    /// <c>pg_terminate_backend</c> of exactly the approved sessions that, in this same statement, still have their
    /// backend_start and are still idle in the approved transaction or still block someone. Returns the pids signalled.
    /// </summary>
    public static async Task<IReadOnlyList<int>> TerminateAsync(NpgsqlConnection connection, IReadOnlyList<ApprovedSession> sessions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(sessions);
        await using var command = new NpgsqlCommand(Expand(TerminateSql), connection);
        command.Parameters.Add(new NpgsqlParameter("pids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = sessions.Select(s => s.Pid).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = sessions.Select(s => s.BackendStart).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("xacts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = sessions.Select(s => s.XactStart).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("idle", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = sessions.Select(s => s.Idle).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("root", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = sessions.Select(s => s.Root).ToArray() });
        var signalled = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetBoolean(1))
            {
                signalled.Add(reader.GetInt32(0));
            }
        }

        return signalled;
    }

    private static string Expand(string sql) =>
        sql.Replace("{BS}", BackendStartMicros, StringComparison.Ordinal).Replace("{XS}", XactStartMicros, StringComparison.Ordinal);
}
