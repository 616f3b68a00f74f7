using Cerberus.ChatOps.Domain.Diagnostics;
using Npgsql;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// The SQL side of "df -h": the size of pg_wal (pg_ls_waldir) against <see cref="WalSizeRule"/> (more than
/// 2 × max(max_wal_size, wal_keep_size) + the WAL the slots retain → WARN, look at the archiver), the other consumers
/// of the volume (<see cref="SpaceConsumersReader"/>: temporary files, server logs, the .ready backlog), database sizes,
/// and the largest relations by pg_total_relation_size, split into heap, indexes and TOAST (partitioned tables summed
/// over their partitions). Each directory listing is read on its own: one the role may not read is "unknown", and the
/// rest still comes. Free space of the volume is the Kubernetes side's (the volume probe).
/// </summary>
internal sealed class DiskProbe(PostgresConnectionFactory connections, PrimaryResolver primary, TimeProvider time)
    : PostgresProbe(connections, primary, time)
{
    private const string WalSettingsSql =
        """
        SELECT pg_size_bytes(current_setting('max_wal_size'))::int8, current_setting('wal_keep_size'),
               pg_size_bytes(current_setting('wal_keep_size'))::int8,
               coalesce((SELECT max(pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, restart_lsn))
                         FROM pg_replication_slots WHERE restart_lsn IS NOT NULL), 0)::int8,
               pg_size_bytes(current_setting('wal_segment_size'))::int8
        """;

    private const string WalDirSql = "SELECT count(*)::int8, coalesce(sum(size), 0)::int8 FROM pg_ls_waldir()";

    private const string DatabasesSql =
        "SELECT datname::text, pg_database_size(oid)::int8 FROM pg_database WHERE datallowconn ORDER BY 2 DESC";

    /// <summary>
    /// The largest relations. The size functions open each relation, its indexes and its partitions with
    /// AccessShareLock, which queues behind a pending or granted ACCESS EXCLUSIVE lock (VACUUM FULL, ALTER, REINDEX,
    /// DROP): such a relation is sized from pg_class (relpages, no lock) and marked, never opened. lock_timeout
    /// stays the safety net for a lock taken between the check and the call.
    /// </summary>
    private const string RelationsSql =
        """
        WITH exclusive AS (
          SELECT l.relation FROM pg_locks l
          WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())),
        busy AS (
          SELECT relation AS relid FROM exclusive
          UNION SELECT i.indrelid FROM pg_index i JOIN exclusive e ON e.relation = i.indexrelid
          UNION SELECT c.oid FROM pg_class c JOIN exclusive e ON e.relation = c.reltoastrelid
          UNION SELECT a.relid FROM exclusive e, LATERAL pg_partition_ancestors(e.relation) a),
        rel AS (
          SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind = 'p' AS partitioned,
                 c.oid IN (SELECT relid FROM busy) AS locked,
                 c.relpages::int8 * current_setting('block_size')::int8 AS estimate, c.oid
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'm', 'p') AND NOT c.relispartition
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'),
        sized AS (
          SELECT schema, name, partitioned, locked,
                 CASE WHEN locked THEN estimate
                      WHEN partitioned THEN (SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0) FROM pg_partition_tree(oid) t)
                      ELSE pg_total_relation_size(oid) END::int8 AS total,
                 CASE WHEN locked THEN estimate
                      WHEN partitioned THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(oid) t)
                      ELSE pg_relation_size(oid) END::int8 AS heap,
                 CASE WHEN locked THEN 0
                      WHEN partitioned THEN (SELECT coalesce(sum(pg_indexes_size(t.relid)), 0) FROM pg_partition_tree(oid) t)
                      ELSE pg_indexes_size(oid) END::int8 AS indexes
          FROM rel)
        SELECT schema, name, partitioned, total, heap, indexes, locked FROM sized ORDER BY total DESC LIMIT 10
        """;

    public override string Name => ProbeNames.Disk;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var settings = (await QueryAsync(connection, WalSettingsSql,
            r => (MaxWalSize: r.GetInt64(0), KeepSize: r.GetString(1), KeepBytes: r.GetInt64(2), SlotRetained: r.GetInt64(3), SegmentBytes: r.GetInt64(4)),
            cancellationToken))[0];
        var limit = WalSizeRule.Limit(settings.MaxWalSize, settings.KeepBytes, settings.SlotRetained);
        findings.Fact(DiagnosisFactKeys.MaxWalSizeBytes, settings.MaxWalSize);
        findings.Fact(DiagnosisFactKeys.WalLimitBytes, limit);
        var unmeasured = new List<string>();
        long? walBytes = null;
        try
        {
            var (segments, bytes) = (await QueryAsync(connection, WalDirSql, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken))[0];
            walBytes = bytes;
            var overLimit = WalSizeRule.Over(bytes, settings.MaxWalSize, settings.KeepBytes, settings.SlotRetained);
            findings.Fact(FactKeys.WalBytes, bytes);
            findings.Fact(DiagnosisFactKeys.WalOverLimit, overLimit);
            findings.Detail($"pg_wal: {segments} files, {ByteSize.Format(bytes)} (max_wal_size {ByteSize.Format(settings.MaxWalSize)}, wal_keep_size {settings.KeepSize}, slots retain up to {ByteSize.Format(settings.SlotRetained)}; limit {ByteSize.Format(limit)})");
            if (overLimit)
            {
                findings.Problem(ProbeStatus.Warn, $"pg_wal holds {ByteSize.Format(bytes)}, more than 2 × max(max_wal_size {ByteSize.Format(settings.MaxWalSize)}, wal_keep_size {settings.KeepSize}) + the {ByteSize.Format(settings.SlotRetained)} slots retain = {ByteSize.Format(limit)}: look at the archiver and the slots before deleting data");
            }
        }
        catch (PostgresException ex)
        {
            unmeasured.Add("pg_wal");
            findings.Detail($"pg_wal: unknown ({SpaceConsumersReader.Why(ex, "pg_ls_waldir")}); limit {ByteSize.Format(limit)}");
        }

        var temp = await SpaceConsumersReader.TempFilesAsync(connection, cancellationToken);
        var ready = await SpaceConsumersReader.ArchiveBacklogAsync(connection, settings.SegmentBytes, cancellationToken);

        var databases = await QueryAsync(connection, DatabasesSql, r => (Name: r.GetString(0), Bytes: r.GetInt64(1)), cancellationToken);
        var total = databases.Sum(d => d.Bytes);
        findings.Fact(FactKeys.DatabaseBytes, total);
        var sizes = new List<string> { "databases: " + string.Join(", ", databases.Select(d => $"{d.Name} {ByteSize.Format(d.Bytes)}")) };

        var relations = await QueryAsync(connection, RelationsSql, r => new
        {
            Schema = r.GetString(0),
            Name = r.GetString(1),
            Partitioned = r.GetBoolean(2),
            Total = r.GetInt64(3),
            Heap = r.GetInt64(4),
            Indexes = r.GetInt64(5),
            Locked = r.GetBoolean(6),
        }, cancellationToken);
        var database = connection.Database;
        foreach (var rel in relations.Where(r => r.Total > 0 || r.Locked))
        {
            if (rel.Locked)
            {
                sizes.Add($"{database}.{rel.Schema}.{rel.Name}: about {ByteSize.Format(rel.Total)} by pg_class (not opened: an ACCESS EXCLUSIVE lock is held or pending on it)");
                continue;
            }

            var toast = Math.Max(0, rel.Total - rel.Heap - rel.Indexes);
            sizes.Add($"{database}.{rel.Schema}.{rel.Name}{(rel.Partitioned ? " (partitioned)" : string.Empty)}: {ByteSize.Format(rel.Total)} = heap {ByteSize.Format(rel.Heap)} + indexes {ByteSize.Format(rel.Indexes)} + toast/maps {ByteSize.Format(toast)}");
        }

        // Last: pg_ls_logdir() on a directory that does not exist fails with 58P01, and Npgsql breaks the connection
        // on that error (measured with Npgsql 10 on the lab): nothing may run on this connection after it.
        var logs = await SpaceConsumersReader.ServerLogsAsync(connection, cancellationToken);
        SpaceConsumer[] consumers = [temp, logs, ready];
        foreach (var consumer in consumers)
        {
            findings.Detail(consumer.Detail);
            if (consumer.Bytes is not { } bytes)
            {
                unmeasured.Add(consumer.Name);
                continue;
            }

            var key = consumer.Name switch
            {
                SpaceConsumersReader.TempFiles => DiagnosisFactKeys.TempFilesBytes,
                SpaceConsumersReader.ServerLogs => DiagnosisFactKeys.ServerLogBytes,
                _ => DiagnosisFactKeys.ArchiveReadyBytes,
            };
            findings.Fact(key, bytes);
        }

        if (unmeasured.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.UnmeasuredConsumers, FactList.Join(unmeasured));
        }

        // The consumers besides the tables come right after pg_wal (a Slack message shows the first lines only).
        foreach (var line in sizes)
        {
            findings.Detail(line);
        }

        var parts = new List<string>
        {
            walBytes is { } w ? $"pg_wal {ByteSize.Format(w)} (max_wal_size {ByteSize.Format(settings.MaxWalSize)})" : "pg_wal unknown",
            $"databases {ByteSize.Format(total)}",
        };
        parts.AddRange(consumers.Where(c => c.Bytes is > 0).Select(c => c.Name == SpaceConsumersReader.ArchiveBacklog
            ? $"{c.Files} .ready ({ByteSize.Format(c.Bytes!.Value)} of pg_wal)"
            : $"{c.Name} {(c.Name == SpaceConsumersReader.TempFiles ? "≥ " : string.Empty)}{ByteSize.Format(c.Bytes!.Value)}"));
        parts.AddRange(consumers.Where(c => c.Bytes is null).Select(c => $"{c.Name} unknown"));
        return string.Join(", ", parts);
    }
}
