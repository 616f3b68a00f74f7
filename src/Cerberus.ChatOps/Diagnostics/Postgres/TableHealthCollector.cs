using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Postgres;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Reads the data integrity check for the post-incident document from <c>pg_stat_user_tables</c>
/// (docs/post-incident-report.md, "Data integrity check"). <c>pg_monitor</c> privileges suffice. Bounded at three layers (connect 5 s,
/// statement 8 s / command 10 s, 15 s overall); any failure comes back as <see cref="TableHealth.Problem"/>, never as
/// an exception (only the caller's own cancellation throws).
/// </summary>
internal sealed partial class TableHealthCollector(TimeProvider time, ILogger<TableHealthCollector> logger)
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    private const string ApplicationName = "cerberus-chatops-report";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);

    internal const string Query = """
        SELECT schemaname, relname, n_live_tup, n_dead_tup,
               round(100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS dead_pct,
               last_vacuum, last_autovacuum, last_analyze, last_autoanalyze
        FROM pg_stat_user_tables ORDER BY n_dead_tup DESC, schemaname, relname LIMIT 20
        """;

    public async Task<TableHealth> CollectAsync(string? connectionString, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return TableHealth.Failed(at, "no database is configured (Cerberus:Postgres:ConnectionString).");
        }

        string bounded;
        try
        {
            bounded = Bound(connectionString);
        }
        catch (ArgumentException)
        {
            return TableHealth.Failed(at, "the database connection string does not parse.");
        }

        using var budget = new CancellationTokenSource(Budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            await using var connection = new NpgsqlConnection(bounded);
            await connection.OpenAsync(linked.Token);
            await using var command = new NpgsqlCommand(Query, connection);
            await using var reader = await command.ExecuteReaderAsync(linked.Token);
            var rows = new List<TableHealthRow>();
            while (await reader.ReadAsync(linked.Token))
            {
                rows.Add(new TableHealthRow(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetInt64(2),
                    reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : (double)reader.GetDecimal(4),
                    Time(reader, 5),
                    Time(reader, 6),
                    Time(reader, 7),
                    Time(reader, 8)));
            }

            Log.Collected(logger, rows.Count);
            return new TableHealth(at, rows);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(at, $"pg_stat_user_tables did not answer within {Durations.Format(Budget)}.");
        }
        catch (PostgresException ex)
        {
            return Failed(at, $"PostgreSQL refused the query ({ex.SqlState}): {ex.MessageText}");
        }
        catch (NpgsqlException ex)
        {
            return Failed(at, $"could not read pg_stat_user_tables: {ex.Message}");
        }
        catch (TimeoutException ex)
        {
            return Failed(at, $"could not read pg_stat_user_tables: {ex.Message}");
        }
    }

    /// <summary>The caller's connection string with this collector's bounds (never looser than the caller's own timeouts).</summary>
    internal static string Bound(string connectionString)
    {
        var given = PostgresConnectionString.Parse(connectionString, "the database connection string");
        return PostgresConnectionString.Build(connectionString, new PostgresSession(
            ApplicationName, Tighter(given.Timeout, ConnectTimeout), Tighter(given.CommandTimeout, CommandTimeout), StatementTimeout, LockTimeout),
            "the database connection string");
    }

    /// <summary>The caller's own timeout (whole seconds, 0 = none) when it is tighter than the collector's bound.</summary>
    private static TimeSpan Tighter(int callerSeconds, TimeSpan bound) =>
        callerSeconds > 0 && callerSeconds < bound.TotalSeconds ? TimeSpan.FromSeconds(callerSeconds) : bound;

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private TableHealth Failed(DateTimeOffset at, string problem)
    {
        var redacted = SecretRedactor.Redact(problem);
        Log.Failed(logger, redacted);
        return TableHealth.Failed(at, redacted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7121, Level = LogLevel.Debug, Message = "Integrity check: {Rows} rows from pg_stat_user_tables")]
        public static partial void Collected(ILogger logger, int rows);

        [LoggerMessage(EventId = 7122, Level = LogLevel.Warning, Message = "Integrity check failed: {Problem}")]
        public static partial void Failed(ILogger logger, string problem);
    }
}
