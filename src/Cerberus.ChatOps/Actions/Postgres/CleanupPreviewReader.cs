using System.Text.Json;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Reads the clean-up's preview without scanning the table (dba-review defect 21): the catalog (oid, size, index,
/// column type), then an exact count only where an index bounds it, under a short <c>SET LOCAL statement_timeout</c>;
/// otherwise (no index, or the count is cut off) the planner's row estimate from <c>EXPLAIN (FORMAT JSON)</c>, which is
/// pg_class.reltuples × the selectivity of <c>column &lt; cutoff</c>, plus an EXISTS probe that stops at the first old row.
/// </summary>
internal static class CleanupPreviewReader
{
    private const string QueryCanceled = "57014";

    /// <summary>The preview, or null when the table or its column does not exist.</summary>
    public static async Task<CleanupPreview?> ReadAsync(
        NpgsqlConnection connection, QualifiedName table, string column, DateTimeOffset cutoff, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        long oid, bytes;
        bool indexed;
        string type;
        DateTime serverWallClock;
        int blockSize;
        await using (var meta = new NpgsqlCommand(
            """
            SELECT c.oid::bigint, pg_total_relation_size(c.oid),
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                           WHERE i.indrelid = c.oid AND i.indisvalid AND ia.attname = @column),
                   format_type(a.atttypid, NULL),
                   (@cutoff::timestamptz AT TIME ZONE current_setting('TimeZone')),
                   current_setting('block_size')::int
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = @column AND NOT a.attisdropped
            WHERE c.oid = to_regclass(@table)
            """, connection))
        {
            meta.Parameters.AddWithValue("table", table.Text);
            meta.Parameters.AddWithValue("column", column);
            meta.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
            await using var reader = await meta.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            oid = reader.GetInt64(0);
            bytes = reader.GetInt64(1);
            indexed = reader.GetBoolean(2);
            type = reader.GetString(3);
            serverWallClock = reader.GetDateTime(4);
            blockSize = reader.GetInt32(5);
        }

        var binding = CutoffBinding.For(type, cutoff, serverWallClock);
        if (binding is null)
        {
            return new CleanupPreview(oid, bytes, indexed, null, type, 0, false, null, null, blockSize);
        }

        if (indexed && await CountAsync(connection, table, column, binding, timeout, cancellationToken) is { } exact)
        {
            return new CleanupPreview(oid, bytes, true, binding, type, exact.Rows, true, exact.Oldest, exact.Newest, blockSize);
        }

        var any = await AnyOlderAsync(connection, table, column, binding, timeout, cancellationToken) ?? true;
        var estimate = any ? Math.Max(1, await EstimateAsync(connection, table, column, binding, cancellationToken)) : 0;
        return new CleanupPreview(oid, bytes, indexed, binding, type, estimate, false, null, null, blockSize);
    }

    /// <summary>
    /// Whether any row is older than the cutoff: stops at the first one; through the index when there is one. Null when
    /// it did not finish within <paramref name="timeout"/> (a table with no old row and no index is read to its end).
    /// </summary>
    public static async Task<bool?> AnyOlderAsync(
        NpgsqlConnection connection, QualifiedName table, string column, CutoffBinding cutoff, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(cutoff);
        return await BoundedAsync(connection, timeout, async tx =>
        {
            await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {table.Quoted} WHERE {QualifiedName.Quote(column)} < @cutoff)", connection, tx);
            command.Parameters.Add(cutoff.Parameter("cutoff"));
            return (bool?)(bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
    }

    private static async Task<(long Rows, DateTimeOffset? Oldest, DateTimeOffset? Newest)?> CountAsync(
        NpgsqlConnection connection, QualifiedName table, string column, CutoffBinding cutoff, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var quoted = QualifiedName.Quote(column);
        return await BoundedAsync<(long, DateTimeOffset?, DateTimeOffset?)?>(connection, timeout, async tx =>
        {
            await using var count = new NpgsqlCommand(
                $"SELECT count(*), min({quoted})::timestamptz, max({quoted})::timestamptz FROM {table.Quoted} WHERE {quoted} < @cutoff", connection, tx);
            count.Parameters.Add(cutoff.Parameter("cutoff"));
            await using var rows = await count.ExecuteReaderAsync(cancellationToken);
            await rows.ReadAsync(cancellationToken);
            return (rows.GetInt64(0),
                rows.IsDBNull(1) ? null : rows.GetFieldValue<DateTimeOffset>(1),
                rows.IsDBNull(2) ? null : rows.GetFieldValue<DateTimeOffset>(2));
        }, cancellationToken);
    }

    /// <summary>The planner's estimate of the rows older than the cutoff (top plan node's "Plan Rows").</summary>
    private static async Task<long> EstimateAsync(
        NpgsqlConnection connection, QualifiedName table, string column, CutoffBinding cutoff, CancellationToken cancellationToken)
    {
        await using var explain = new NpgsqlCommand($"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table.Quoted} WHERE {QualifiedName.Quote(column)} < @cutoff", connection);
        explain.Parameters.Add(cutoff.Parameter("cutoff"));
        var json = (string)(await explain.ExecuteScalarAsync(cancellationToken))!;
        using var plan = JsonDocument.Parse(json);
        return (long)plan.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
    }

    /// <summary>Runs <paramref name="query"/> in a transaction with <c>SET LOCAL statement_timeout</c>; default when cut off.</summary>
    private static async Task<T?> BoundedAsync<T>(
        NpgsqlConnection connection, TimeSpan timeout, Func<NpgsqlTransaction, Task<T?>> query, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var set = new NpgsqlCommand($"SET LOCAL statement_timeout = '{(long)timeout.TotalMilliseconds}ms'", connection, tx))
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var result = await query(tx);
            await tx.CommitAsync(cancellationToken);
            return result;
        }
        catch (PostgresException ex) when (ex.SqlState == QueryCanceled)
        {
            await tx.RollbackAsync(CancellationToken.None);
            return default;
        }
    }
}
