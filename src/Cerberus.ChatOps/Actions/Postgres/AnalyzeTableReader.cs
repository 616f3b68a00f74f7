using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Which tables the post-promotion ANALYZE picks: plain tables and partitions outside the system schemas, largest
/// first by <c>pg_class.relpages</c>, then by seq_scan + idx_scan. Not by n_live_tup: on a promoted standby it is 0
/// until the table is analysed (a standby counts no writes), so it cannot rank; the catalog's size came over with
/// the replication. Whether the operator role may analyse each (owner of the table or of the database, or superuser).
/// </summary>
internal static class AnalyzeTableReader
{
    private const string Sql =
        """
        SELECT c.oid, format('%I.%I', n.nspname, c.relname),
               c.relpages::bigint * current_setting('block_size')::bigint, greatest(c.reltuples, 0)::float8,
               coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0), coalesce(s.n_live_tup, 0), coalesce(s.n_mod_since_analyze, 0),
               coalesce(s.analyze_count, 0), s.last_analyze,
               pg_has_role(current_user, c.relowner, 'USAGE')
                 OR pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
          AND (@oids::oid[] IS NULL OR c.oid = ANY (@oids::oid[]))
        ORDER BY c.relpages DESC, 5 DESC, 2
        LIMIT @limit
        """;

    /// <summary>The top <paramref name="limit"/> tables, or exactly those of <paramref name="oids"/> (for the re-read and the verification).</summary>
    public static async Task<IReadOnlyList<AnalyzeTable>> ReadAsync(NpgsqlConnection connection, int limit, IReadOnlyCollection<uint>? oids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid) { Value = oids is null ? DBNull.Value : oids.ToArray() });
        var tables = new List<AnalyzeTable>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(new AnalyzeTable(
                reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetDateTime(8), reader.GetBoolean(9)));
        }

        return tables;
    }
}
