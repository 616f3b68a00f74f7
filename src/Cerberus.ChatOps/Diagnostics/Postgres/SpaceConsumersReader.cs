using Cerberus.ChatOps.Domain.Text;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// What fills the data volume besides the tables, each read on its own so one refusal does not hide the others:
/// temporary files (<c>pg_ls_tmpdir(oid)</c> of every tablespace), the server log directory (<c>pg_ls_logdir()</c>),
/// and the WAL waiting for the archiver (<c>.ready</c> in <c>pg_ls_archive_statusdir()</c> × wal_segment_size).
/// pg_monitor is granted all three (PostgreSQL 12+); without it each is "unknown (permission denied …)", never zero.
/// Measured on PostgreSQL 15 (lab): <c>pg_ls_tmpdir()</c> lists regular files only, so the shared filesets of parallel
/// hash joins (subdirectories <c>pgsql_tmpPID.N.fileset</c>) are missed (201 MB on disk, 0 listed): a lower bound;
/// <c>pg_ls_logdir()</c> fails with 58P01 when the directory does not exist (logging_collector off, never on).
/// </summary>
internal static class SpaceConsumersReader
{
    public const string TempFiles = "temp files";
    public const string ServerLogs = "server logs";
    public const string ArchiveBacklog = ".ready backlog";

    private const string TempSql =
        """
        SELECT t.spcname::text, count(f.name)::int8, coalesce(sum(f.size), 0)::int8
        FROM pg_tablespace t LEFT JOIN LATERAL pg_ls_tmpdir(t.oid) f ON true
        WHERE t.spcname <> 'pg_global'
        GROUP BY t.spcname ORDER BY 1
        """;

    private const string LogSettingsSql =
        "SELECT current_setting('logging_collector'), current_setting('log_directory'), current_setting('data_directory')";

    private const string LogSql = "SELECT count(*)::int8, coalesce(sum(size), 0)::int8 FROM pg_ls_logdir()";

    private const string ReadySql =
        "SELECT count(*)::int8, min(modification) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'";

    public static async Task<SpaceConsumer> TempFilesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var rows = await QueryAsync(connection, TempSql, r => (Space: r.GetString(0), Files: r.GetInt64(1), Bytes: r.GetInt64(2)), cancellationToken);
            var files = rows.Sum(r => r.Files);
            var bytes = rows.Sum(r => r.Bytes);
            var per = string.Join(", ", rows.Where(r => r.Files > 0).Select(r => $"{r.Space} {ByteSize.Format(r.Bytes)}"));
            return new SpaceConsumer(TempFiles, bytes, files,
                $"temp files: {files} files, {ByteSize.Format(bytes)}{(per.Length == 0 ? string.Empty : $" ({per})")} in pgsql_tmp of {rows.Count} tablespace(s); a lower bound: pg_ls_tmpdir lists regular files only, not the shared filesets of parallel queries (subdirectories)");
        }
        catch (PostgresException ex)
        {
            return SpaceConsumer.Unmeasured(TempFiles, Why(ex, "pg_ls_tmpdir"));
        }
    }

    public static async Task<SpaceConsumer> ServerLogsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        string collector;
        string directory;
        string dataDirectory;
        try
        {
            var settings = (await QueryAsync(connection, LogSettingsSql, r => (r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken))[0];
            (collector, directory, dataDirectory) = settings;
        }
        catch (PostgresException ex)
        {
            return SpaceConsumer.Unmeasured(ServerLogs, Why(ex, "log_directory"));
        }

        var outside = directory.StartsWith('/') && !directory.StartsWith(dataDirectory.TrimEnd('/') + "/", StringComparison.Ordinal)
            ? " (outside the data directory: maybe on another volume)"
            : string.Empty;
        try
        {
            var (files, bytes) = (await QueryAsync(connection, LogSql, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken))[0];
            return new SpaceConsumer(ServerLogs, bytes, files, $"server logs: {files} files, {ByteSize.Format(bytes)} in {directory}{outside} (logging_collector {collector})");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedFile)
        {
            return new SpaceConsumer(ServerLogs, 0, 0,
                $"server logs: no log directory {directory} (logging_collector {collector}{(collector == "off" ? ": the server logs to stderr, i.e. the container log" : string.Empty)})");
        }
        catch (PostgresException ex)
        {
            return SpaceConsumer.Unmeasured(ServerLogs, Why(ex, "pg_ls_logdir"));
        }
    }

    public static async Task<SpaceConsumer> ArchiveBacklogAsync(NpgsqlConnection connection, long segmentBytes, CancellationToken cancellationToken)
    {
        try
        {
            var (count, oldest) = (await QueryAsync(connection, ReadySql, r => (r.GetInt64(0), r.IsDBNull(1) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(1)), cancellationToken))[0];
            var bytes = count * segmentBytes;
            var detail = count == 0
                ? "archive_status: no .ready segment (nothing waits for the archiver)"
                : $"archive_status: {count} .ready segments wait for the archiver = {ByteSize.Format(bytes)} of pg_wal that cannot be recycled until archived, the oldest since {oldest:yyyy-MM-dd'T'HH:mm:ss'Z'}";
            return new SpaceConsumer(ArchiveBacklog, bytes, count, detail);
        }
        catch (PostgresException ex)
        {
            return SpaceConsumer.Unmeasured(ArchiveBacklog, Why(ex, "pg_ls_archive_statusdir"));
        }
    }

    /// <summary>Why a read failed, naming the grant for a permission error; the statement timeout said as such.</summary>
    internal static string Why(PostgresException ex, string what) => ex.SqlState switch
    {
        PostgresErrorCodes.InsufficientPrivilege => $"permission denied for {what}: the bot's role needs pg_monitor",
        PostgresErrorCodes.QueryCanceled => $"{what} hit statement_timeout",
        _ => $"{what} failed: {ex.SqlState} {SecretRedactor.Redact(ex.MessageText)}",
    };

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
