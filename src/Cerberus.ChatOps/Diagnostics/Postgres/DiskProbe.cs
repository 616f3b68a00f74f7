using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// The SQL side of "df -h": the size of pg_wal (pg_ls_waldir) against max_wal_size (more than twice → WARN, look
/// at slots and the archiver), database sizes, and the largest relations by pg_total_relation_size, split into
/// heap, indexes and TOAST (partitioned tables summed over their partitions). Free space of the volume is the
/// Kubernetes side's (the volume probe).
/// </summary>
internal sealed class DiskProbe(PostgresConnectionFactory connections, TimeProvider time)
    : PostgresProbe(connections, time)
{
    private const string WalSql =
        """
        SELECT (SELECT count(*) FROM pg_ls_waldir())::int8, (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::int8,
               pg_size_bytes(current_setting('max_wal_size'))::int8, current_setting('wal_keep_size')
        """;

    private const string DatabasesSql =
        "SELECT datname::text, pg_database_size(oid)::int8 FROM pg_database WHERE datallowconn ORDER BY 2 DESC";

    private const string RelationsSql =
        """
        WITH rel AS (
          SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind = 'p' AS partitioned,
                 CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
                      ELSE pg_total_relation_size(c.oid) END::int8 AS total,
                 CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
                      ELSE pg_relation_size(c.oid) END::int8 AS heap,
                 CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_indexes_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
                      ELSE pg_indexes_size(c.oid) END::int8 AS indexes
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'm', 'p') AND NOT c.relispartition
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')
        SELECT schema, name, partitioned, total, heap, indexes FROM rel ORDER BY total DESC LIMIT 10
        """;

    public override string Name => ProbeNames.Disk;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var wal = (await QueryAsync(connection, WalSql,
            r => (Segments: r.GetInt64(0), Bytes: r.GetInt64(1), MaxWalSize: r.GetInt64(2), KeepSize: r.GetString(3)), cancellationToken))[0];
        var overLimit = wal.Bytes > 2 * wal.MaxWalSize;
        findings.Fact(FactKeys.WalBytes, wal.Bytes);
        findings.Fact(DiagnosisFactKeys.MaxWalSizeBytes, wal.MaxWalSize);
        findings.Fact(DiagnosisFactKeys.WalOverLimit, overLimit);
        findings.Detail($"pg_wal: {wal.Segments} files, {ByteSize.Format(wal.Bytes)} (max_wal_size {ByteSize.Format(wal.MaxWalSize)}, wal_keep_size {wal.KeepSize})");
        if (overLimit)
        {
            findings.Problem(ProbeStatus.Warn, $"pg_wal holds {ByteSize.Format(wal.Bytes)}, more than twice max_wal_size ({ByteSize.Format(wal.MaxWalSize)}): look at inactive slots and the archiver before deleting data");
        }

        var databases = await QueryAsync(connection, DatabasesSql, r => (Name: r.GetString(0), Bytes: r.GetInt64(1)), cancellationToken);
        var total = databases.Sum(d => d.Bytes);
        findings.Fact(FactKeys.DatabaseBytes, total);
        findings.Detail("databases: " + string.Join(", ", databases.Select(d => $"{d.Name} {ByteSize.Format(d.Bytes)}")));

        var relations = await QueryAsync(connection, RelationsSql, r => new
        {
            Schema = r.GetString(0),
            Name = r.GetString(1),
            Partitioned = r.GetBoolean(2),
            Total = r.GetInt64(3),
            Heap = r.GetInt64(4),
            Indexes = r.GetInt64(5),
        }, cancellationToken);
        var database = connection.Database;
        foreach (var rel in relations.Where(r => r.Total > 0))
        {
            var toast = Math.Max(0, rel.Total - rel.Heap - rel.Indexes);
            findings.Detail($"{database}.{rel.Schema}.{rel.Name}{(rel.Partitioned ? " (partitioned)" : string.Empty)}: {ByteSize.Format(rel.Total)} = heap {ByteSize.Format(rel.Heap)} + indexes {ByteSize.Format(rel.Indexes)} + toast/maps {ByteSize.Format(toast)}");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"pg_wal {ByteSize.Format(wal.Bytes)} (max_wal_size {ByteSize.Format(wal.MaxWalSize)}), databases {ByteSize.Format(total)}");
    }
}
