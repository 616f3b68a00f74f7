using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Microsoft.Data.Sqlite;

namespace Cerberus.ChatOps.Store.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode. A connection per operation (Microsoft.Data.Sqlite pools them);
/// every write that reads first runs in <c>BEGIN IMMEDIATE</c>, so two writers (or two processes on the same file)
/// serialise on the file's write lock instead of failing half-way; single writes are single statements.
/// Inbox and outbox claims are single conditional <c>UPDATE ... RETURNING</c> statements, serialised by that lock.
/// Claims and leases are judged by SQLite's own clock (<c>julianday('now')</c>, read inside the statement), the
/// same rule as PostgreSQL's <c>now()</c>: never a time the caller passes in (a file on one machine's disk has one clock).
/// Every write takes the process's one write turn first (<see cref="SqliteWriteGate"/>), and the inbox is written by
/// one group-committing writer (<see cref="GroupCommitWriter{TItem, TResult}"/>): an ack waits for one commit of
/// its batch, not for a place in SQLite's busy back-off.
/// Durability: WAL with <c>synchronous = FULL</c>, set on every connection. A commit returns only after the WAL is
/// fsynced, so a committed row (an acknowledged Slack request) survives a crash of the process and a power loss alike.
/// <c>NORMAL</c> would save that fsync and could lose the last commits on a power loss.
/// </summary>
internal sealed partial class SqliteIncidentStore(string connectionString, TimeProvider timeProvider, ILogger<SqliteIncidentStore> logger)
    : ICerberusStore, IAsyncDisposable, IDisposable
{
    private const int BusyTimeoutMilliseconds = 5000;

    /// <summary>At most this many inbox rows share one transaction (one fsync).</summary>
    private const int InboxBatchLimit = 256;

    private const string OutboxColumns =
        "id, incident_id, kind, channel, payload, message_ref, created_at, status, attempts, next_attempt_at, last_error, result_ts";

    private const string OutboxReadColumns = OutboxColumns + ", claimed_by";

    private const string InboxColumns = "key, kind, payload, received_at, done, attempts, claimed_by, last_error, set_aside";

    /// <summary>SQLite's clock as UTC ticks (the unit of every time column): Julian day 1721425.5 is 0001-01-01T00:00Z.</summary>
    private const string DbNow = "CAST((julianday('now') - 1721425.5) * 864000000000 AS INTEGER)";

    private readonly string _connectionString = Normalize(connectionString);
    private readonly SqliteWriteGate _writes = new();
    private object? _inboxWriterLock;
    private GroupCommitWriter<InboundItem, bool>? _inboxWriter;
    private bool _inboxWriterCreated;

    public string ProviderName => "SQLite";

    public int LatestSchemaVersion => SqliteMigrations.All[^1].Version;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            CreateDirectory();
            using var turn = await _writes.EnterAsync(cancellationToken);
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version    INTEGER NOT NULL PRIMARY KEY,
                    name       TEXT    NOT NULL,
                    applied_at INTEGER NOT NULL
                );
                """, cancellationToken);
            var current = await CurrentVersionAsync(connection, transaction, cancellationToken);
            foreach (var migration in SqliteMigrations.All.Where(m => m.Version > current).OrderBy(m => m.Version))
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using var record = Command(connection, transaction,
                    "INSERT INTO schema_version (version, name, applied_at) VALUES ($version, $name, $at);");
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$name", migration.Name);
                record.Parameters.AddWithValue("$at", Ticks(timeProvider.GetUtcNow()));
                await record.ExecuteNonQueryAsync(cancellationToken);
                Log.MigrationApplied(logger, migration.Version, migration.Name);
            }

            await FillColumnsAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Log.Initialized(logger, LatestSchemaVersion);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The SQLite store could not be initialised: {ex.Message}", ex);
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        if (DatabaseFile() is { } file && !File.Exists(file))
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var exists = Command(connection, null, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';");
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        return await CurrentVersionAsync(connection, null, cancellationToken);
    }

    public async Task<string> AllocateIncidentIdAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var year = now.UtcDateTime.Year;
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            INSERT INTO incident_counters (year, last_number) VALUES ($year, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = last_number + 1
            RETURNING last_number;
            """);
        command.Parameters.AddWithValue("$year", year);
        var number = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        return IncidentDocument.FormatId(year, number);
    }

    public async Task<Incident?> GetAsync(string incidentId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT version, document FROM incidents WHERE id = $id;");
        command.Parameters.AddWithValue("$id", incidentId);
        return await ReadIncidentAsync(command, cancellationToken);
    }

    public async Task<Incident?> FindOpenInChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT version, document FROM incidents
            WHERE is_open = 1 AND (channel = $channel OR origin_channel = $channel)
            ORDER BY declared_at DESC, id DESC LIMIT 1;
            """);
        command.Parameters.AddWithValue("$channel", channelId);
        return await ReadIncidentAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<IncidentSummary>> ListAsync(bool openOnly, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT id, channel, summary, state, commander, declared_at, resolved_at, drill FROM incidents
            WHERE ($openOnly = 0 OR is_open = 1)
            ORDER BY declared_at DESC, id DESC LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$openOnly", openOnly ? 1 : 0);
        command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
        var list = new List<IncidentSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new IncidentSummary(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                Enum.Parse<IncidentState>(reader.GetString(3)),
                reader.GetString(4),
                FromTicks(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : FromTicks(reader.GetInt64(6)),
                reader.GetInt64(7) != 0));
        }

        return list;
    }

    public async Task<IReadOnlyList<IncidentClock>> ListOpenClocksAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT id, state, rto_started_at, next_expiry_at, reminders_sent FROM incidents
            WHERE is_open = 1
            ORDER BY declared_at, id LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$limit", Math.Max(0, limit));
        var list = new List<IncidentClock>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new IncidentClock(
                reader.GetString(0),
                Enum.Parse<IncidentState>(reader.GetString(1)),
                FromTicks(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : FromTicks(reader.GetInt64(3)),
                IncidentColumns.ParseReminders(reader.IsDBNull(4) ? null : reader.GetString(4))));
        }

        return list;
    }

    public async Task SaveAsync(Incident incident, IReadOnlyList<OutboxItem> outbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(outbox);
        var expected = incident.Version;
        var next = expected + 1;
        var snapshot = incident.ToSnapshot() with { Version = next };
        using var turn = await _writes.EnterAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var command = Command(connection, transaction, expected == 0
            ? """
              INSERT INTO incidents (id, channel, origin_channel, state, is_open, declared_at, version, document, updated_at,
                                     summary, commander, resolved_at, drill, rto_started_at, next_expiry_at, reminders_sent)
              VALUES ($id, $channel, $channel, $state, $isOpen, $declaredAt, $version, $document, $now,
                      $summary, $commander, $resolvedAt, $drill, $rtoStartedAt, $nextExpiryAt, $remindersSent)
              ON CONFLICT (id) DO NOTHING;
              """
            : """
              UPDATE incidents
              SET channel = $channel, state = $state, is_open = $isOpen, version = $version, document = $document, updated_at = $now,
                  summary = $summary, commander = $commander, resolved_at = $resolvedAt, drill = $drill,
                  rto_started_at = $rtoStartedAt, next_expiry_at = $nextExpiryAt, reminders_sent = $remindersSent
              WHERE id = $id AND version = $expected;
              """))
        {
            command.Parameters.AddWithValue("$id", incident.Id);
            command.Parameters.AddWithValue("$channel", incident.Channel);
            command.Parameters.AddWithValue("$state", incident.State.ToString());
            command.Parameters.AddWithValue("$isOpen", incident.IsOpen ? 1 : 0);
            command.Parameters.AddWithValue("$declaredAt", Ticks(incident.DeclaredAt));
            command.Parameters.AddWithValue("$version", next);
            command.Parameters.AddWithValue("$expected", expected);
            command.Parameters.AddWithValue("$document", IncidentDocument.Serialize(snapshot));
            command.Parameters.AddWithValue("$now", Ticks(timeProvider.GetUtcNow()));
            AddColumns(command, IncidentColumns.Of(incident));
            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                Log.Conflict(logger, incident.Id, expected);
                throw new ConcurrencyConflictException(IncidentDocument.ConflictMessage(incident.Id, expected));
            }
        }

        await InsertOutboxAsync(connection, transaction, outbox, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        incident.Version = next;
    }

    /// <summary>Commits the inbox rows still queued, then lets the writer go.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_inboxWriter is { } writer)
        {
            await writer.DisposeAsync();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The inbox writer, started with the first request.</summary>
    private GroupCommitWriter<InboundItem, bool> InboxWriter() =>
        LazyInitializer.EnsureInitialized(ref _inboxWriter, ref _inboxWriterCreated, ref _inboxWriterLock, () => new(AddBatchAsync, InboxBatchLimit))!;

    private static string Normalize(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
        };
        if (builder.Mode == SqliteOpenMode.Memory || string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The SQLite store needs a file (a connection is opened per operation): set Cerberus:Store:ConnectionString to e.g. Data Source=cerberus.db.");
        }

        return builder.ToString();
    }

    /// <summary>UTC ticks kept to the microsecond, as PostgreSQL keeps them: both stores give back the same times.</summary>
    private static long Ticks(DateTimeOffset value) => value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMicrosecond);

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    private static void AddColumns(SqliteCommand command, IncidentColumns columns)
    {
        command.Parameters.AddWithValue("$summary", columns.Summary);
        command.Parameters.AddWithValue("$commander", columns.Commander);
        command.Parameters.AddWithValue("$resolvedAt", columns.ResolvedAt is { } resolved ? Ticks(resolved) : DBNull.Value);
        command.Parameters.AddWithValue("$drill", columns.Drill ? 1 : 0);
        command.Parameters.AddWithValue("$rtoStartedAt", Ticks(columns.RtoStartedAt));
        command.Parameters.AddWithValue("$nextExpiryAt", columns.NextExpiryAt is { } expiry ? Ticks(expiry) : DBNull.Value);
        command.Parameters.AddWithValue("$remindersSent", columns.RemindersSent);
    }

    /// <summary>Rows saved before schema step 3 get their summary and timer columns from their document, once.</summary>
    private static async Task FillColumnsAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var unfilled = new List<Incident>();
        await using (var select = Command(connection, transaction, "SELECT version, document FROM incidents WHERE rto_started_at IS NULL;"))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                unfilled.Add(Incident.Restore(IncidentDocument.Deserialize(reader.GetString(1), reader.GetInt64(0))));
            }
        }

        foreach (var incident in unfilled)
        {
            await using var update = Command(connection, transaction, """
                UPDATE incidents
                SET summary = $summary, commander = $commander, resolved_at = $resolvedAt, drill = $drill,
                    rto_started_at = $rtoStartedAt, next_expiry_at = $nextExpiryAt, reminders_sent = $remindersSent
                WHERE id = $id;
                """);
            update.Parameters.AddWithValue("$id", incident.Id);
            AddColumns(update, IncidentColumns.Of(incident));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT coalesce(max(version), 0) FROM schema_version;");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<Incident?> ReadIncidentAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? Incident.Restore(IncidentDocument.Deserialize(reader.GetString(1), reader.GetInt64(0)))
            : null;
    }

    /// <summary>The database file's full path; null for a URI data source (file:...), which SQLite resolves itself.</summary>
    private string? DatabaseFile()
    {
        var dataSource = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        return string.IsNullOrEmpty(dataSource) || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? null
            : Path.GetFullPath(dataSource);
    }

    private void CreateDirectory()
    {
        var directory = Path.GetDirectoryName(DatabaseFile());
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // Per connection, no I/O: wait for another process's write lock instead of failing with SQLITE_BUSY, and
            // fsync the WAL at every commit (see the class comment).
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = FULL;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SQLite store: applied schema migration {Version} ({Name})")]
        public static partial void MigrationApplied(ILogger logger, int version, string name);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "SQLite store ready at schema version {Version}")]
        public static partial void Initialized(ILogger logger, int version);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "SQLite store: {Incident} was saved by someone else since version {Version}; the save is refused")]
        public static partial void Conflict(ILogger logger, string incident, long version);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "SQLite store: pruned {Count} done inbox items")]
        public static partial void Pruned(ILogger logger, int count);

        [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "SQLite store: pruned {Count} sent outbox items")]
        public static partial void PrunedOutbox(ILogger logger, int count);
    }
}
