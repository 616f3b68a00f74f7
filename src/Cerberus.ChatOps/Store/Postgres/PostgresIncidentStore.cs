using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Npgsql;
using NpgsqlTypes;

namespace Cerberus.ChatOps.Store.Postgres;

/// <summary>
/// The store for several replicas: PostgreSQL, schema <c>cerberus</c>. Optimistic concurrency rests on
/// <c>UPDATE ... WHERE version = @expected</c> (a second writer blocks on the row lock, then matches no row);
/// id counters and leases are single atomic upserts; migrations run under a transaction-scoped advisory lock.
/// Inbox and outbox items are claimed by a conditional <c>UPDATE ... WHERE claimed_by IS NULL OR ...</c> (a second
/// claimer blocks on the row lock, then re-checks the condition against the winner's row and matches nothing);
/// claims and leases are judged by the server's <c>now()</c>, never the caller's clock.
/// The inbox is written by one group-committing writer (<see cref="GroupCommitWriter{TItem, TResult}"/>): the acks
/// that arrive together share one multi-row insert, so a burst of Slack requests costs one connection, not one each.
/// </summary>
internal sealed partial class PostgresIncidentStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresIncidentStore> logger)
    : ICerberusStore, IAsyncDisposable, IDisposable
{
    /// <summary>The advisory lock that serialises schema migrations between replicas.</summary>
    private const long MigrationLockKey = 0x4345_5242_4552_5553;

    private const string OutboxColumns =
        "id, incident_id, kind, channel, payload, message_ref, created_at, status, attempts, next_attempt_at, last_error, result_ts";

    private const string OutboxReadColumns = OutboxColumns + ", claimed_by";

    private const string InboxColumns = "key, kind, payload, received_at, done, attempts, claimed_by, last_error, set_aside";

    /// <summary>At most this many inbox rows share one statement.</summary>
    private const int InboxBatchLimit = 256;

    private readonly NpgsqlDataSource _dataSource = Build(connectionString);
    private GroupCommitWriter<InboundItem, bool>? _inboxWriter;
    private bool _inboxWriterCreated;
    private object? _inboxWriterLock;

    public string ProviderName => "PostgreSQL";

    public int LatestSchemaVersion => PostgresMigrations.All[^1].Version;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key);"))
            {
                lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }

            await ExecuteAsync(connection, transaction, """
                DO $$ BEGIN
                    -- Created only when missing, so a DBA may pre-create it for a role without CREATE on the database.
                    IF to_regnamespace('cerberus') IS NULL THEN
                        CREATE SCHEMA cerberus;
                    END IF;
                END $$;
                CREATE TABLE IF NOT EXISTS cerberus.schema_version (
                    version    integer     NOT NULL PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL
                );
                """, cancellationToken);
            var current = await CurrentVersionAsync(connection, transaction, cancellationToken);
            foreach (var migration in PostgresMigrations.All.Where(m => m.Version > current).OrderBy(m => m.Version))
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using var record = Command(connection, transaction,
                    "INSERT INTO cerberus.schema_version (version, name, applied_at) VALUES (@version, @name, @at);");
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("at", timeProvider.GetUtcNow());
                await record.ExecuteNonQueryAsync(cancellationToken);
                Log.MigrationApplied(logger, migration.Version, migration.Name);
            }

            await FillColumnsAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Log.Initialized(logger, LatestSchemaVersion);
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException($"The PostgreSQL store could not be initialised: {ex.Message}", ex);
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var exists = Command(connection, null, "SELECT to_regclass('cerberus.schema_version') IS NOT NULL;");
        if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return 0;
        }

        return await CurrentVersionAsync(connection, null, cancellationToken);
    }

    public async Task<string> AllocateIncidentIdAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var year = now.UtcDateTime.Year;
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO cerberus.incident_counters AS c (year, last_number) VALUES (@year, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = c.last_number + 1
            RETURNING last_number;
            """);
        command.Parameters.AddWithValue("year", year);
        var number = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return IncidentDocument.FormatId(year, number);
    }

    public async Task<Incident?> GetAsync(string incidentId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT version, document FROM cerberus.incidents WHERE id = @id;");
        command.Parameters.AddWithValue("id", incidentId);
        return await ReadIncidentAsync(command, cancellationToken);
    }

    public async Task<Incident?> FindOpenInChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT version, document FROM cerberus.incidents
            WHERE is_open AND (channel = @channel OR origin_channel = @channel)
            ORDER BY declared_at DESC, id DESC LIMIT 1;
            """);
        command.Parameters.AddWithValue("channel", channelId);
        return await ReadIncidentAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<IncidentSummary>> ListAsync(bool openOnly, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT id, channel, summary, state, commander, declared_at, resolved_at, drill FROM cerberus.incidents
            WHERE (NOT @openOnly OR is_open)
            ORDER BY declared_at DESC, id DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("openOnly", openOnly);
        command.Parameters.AddWithValue("limit", Math.Max(0, limit));
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
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetBoolean(7)));
        }

        return list;
    }

    public async Task<IReadOnlyList<IncidentClock>> ListOpenClocksAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT id, state, rto_started_at, next_expiry_at, reminders_sent FROM cerberus.incidents
            WHERE is_open
            ORDER BY declared_at, id LIMIT @limit;
            """);
        command.Parameters.AddWithValue("limit", Math.Max(0, limit));
        var list = new List<IncidentClock>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new IncidentClock(
                reader.GetString(0),
                Enum.Parse<IncidentState>(reader.GetString(1)),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = Command(connection, transaction, expected == 0
            ? """
              INSERT INTO cerberus.incidents (id, channel, origin_channel, state, is_open, declared_at, version, document, updated_at,
                                              summary, commander, resolved_at, drill, rto_started_at, next_expiry_at, reminders_sent)
              VALUES (@id, @channel, @channel, @state, @isOpen, @declaredAt, @version, @document, @now,
                      @summary, @commander, @resolvedAt, @drill, @rtoStartedAt, @nextExpiryAt, @remindersSent)
              ON CONFLICT (id) DO NOTHING;
              """
            : """
              UPDATE cerberus.incidents
              SET channel = @channel, state = @state, is_open = @isOpen, version = @version, document = @document, updated_at = @now,
                  summary = @summary, commander = @commander, resolved_at = @resolvedAt, drill = @drill,
                  rto_started_at = @rtoStartedAt, next_expiry_at = @nextExpiryAt, reminders_sent = @remindersSent
              WHERE id = @id AND version = @expected;
              """))
        {
            command.Parameters.AddWithValue("id", incident.Id);
            command.Parameters.AddWithValue("channel", incident.Channel);
            command.Parameters.AddWithValue("state", incident.State.ToString());
            command.Parameters.AddWithValue("isOpen", incident.IsOpen);
            command.Parameters.AddWithValue("declaredAt", incident.DeclaredAt.ToUniversalTime());
            command.Parameters.AddWithValue("version", next);
            command.Parameters.AddWithValue("expected", expected);
            command.Parameters.Add(new NpgsqlParameter("document", NpgsqlDbType.Json) { Value = IncidentDocument.Serialize(snapshot) });
            command.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
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

    /// <summary>Commits the inbox rows still queued, then closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_inboxWriter is { } writer)
        {
            await writer.DisposeAsync();
        }

        await _dataSource.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The inbox writer, started with the first request.</summary>
    private GroupCommitWriter<InboundItem, bool> InboxWriter() =>
        LazyInitializer.EnsureInitialized(ref _inboxWriter, ref _inboxWriterCreated, ref _inboxWriterLock, () => new(AddBatchAsync, InboxBatchLimit))!;

    private static NpgsqlDataSource Build(string connectionString)
    {
        try
        {
            return new NpgsqlDataSourceBuilder(connectionString) { Name = "cerberus-store" }.Build();
        }
        catch (ArgumentException)
        {
            // Npgsql's message (and so an inner exception) can quote a fragment of the string, a password included.
            throw new InvalidOperationException("The PostgreSQL store's connection string (Cerberus__Store__ConnectionString) is invalid; its text is not shown: it may hold a password.");
        }
    }

    private static void AddColumns(NpgsqlCommand command, IncidentColumns columns)
    {
        command.Parameters.AddWithValue("summary", columns.Summary);
        command.Parameters.AddWithValue("commander", columns.Commander);
        command.Parameters.Add(new NpgsqlParameter("resolvedAt", NpgsqlDbType.TimestampTz) { Value = (object?)columns.ResolvedAt?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.AddWithValue("drill", columns.Drill);
        command.Parameters.AddWithValue("rtoStartedAt", columns.RtoStartedAt.ToUniversalTime());
        command.Parameters.Add(new NpgsqlParameter("nextExpiryAt", NpgsqlDbType.TimestampTz) { Value = (object?)columns.NextExpiryAt?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.AddWithValue("remindersSent", columns.RemindersSent);
    }

    /// <summary>Rows saved before schema step 3 get their summary and timer columns from their document, once.</summary>
    private static async Task FillColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var unfilled = new List<Incident>();
        await using (var select = Command(connection, transaction, "SELECT version, document FROM cerberus.incidents WHERE rto_started_at IS NULL;"))
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
                UPDATE cerberus.incidents
                SET summary = @summary, commander = @commander, resolved_at = @resolvedAt, drill = @drill,
                    rto_started_at = @rtoStartedAt, next_expiry_at = @nextExpiryAt, reminders_sent = @remindersSent
                WHERE id = @id;
                """);
            update.Parameters.AddWithValue("id", incident.Id);
            AddColumns(update, IncidentColumns.Of(incident));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT coalesce(max(version), 0) FROM cerberus.schema_version;");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<Incident?> ReadIncidentAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? Incident.Restore(IncidentDocument.Deserialize(reader.GetString(1), reader.GetInt64(0)))
            : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "PostgreSQL store: applied schema migration {Version} ({Name})")]
        public static partial void MigrationApplied(ILogger logger, int version, string name);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "PostgreSQL store ready at schema version {Version}")]
        public static partial void Initialized(ILogger logger, int version);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "PostgreSQL store: {Incident} was saved by someone else since version {Version}; the save is refused")]
        public static partial void Conflict(ILogger logger, string incident, long version);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "PostgreSQL store: pruned {Count} done inbox items")]
        public static partial void Pruned(ILogger logger, int count);

        [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "PostgreSQL store: pruned {Count} sent outbox items")]
        public static partial void PrunedOutbox(ILogger logger, int count);
    }
}
