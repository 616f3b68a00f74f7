using Cerberus.ChatOps.Actions.Postgres;
using Npgsql;

namespace Cerberus.ChatOps.Drill.Live;

/// <summary>
/// The live drill's writer: from the injection until recovery is verified it inserts numbered rows, one autocommit
/// INSERT each, on the primary the actions' connection reaches (the configured host, e.g. the leader Service;
/// after an error it reconnects the same way). For each commit the primary acknowledges it records the sequence
/// number and the LSN the INSERT returned: <c>pg_current_wal_insert_lsn()</c> evaluated in its RETURNING clause,
/// i.e. the WAL insert position just after the row's heap-insert record; the commit record is written right after
/// it. So a lost write names the point of WAL the new primary's history did not keep.
/// </summary>
internal sealed partial class DrillWriter(PostgresConnector postgres, QualifiedName table, TimeSpan interval, DrillWriteLedger ledger, TimeProvider time, ILogger logger)
{
    /// <summary>How long one write may take before it counts as unanswered (not acknowledged).</summary>
    private const int WriteTimeoutSeconds = 5;

    public DrillWriteLedger Ledger => ledger;

    public static string CreateSql(QualifiedName table) =>
        $"CREATE TABLE IF NOT EXISTS {table.Quoted} (seq bigint PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())";

    public static string DropSql(QualifiedName table) => $"DROP TABLE IF EXISTS {table.Quoted}";

    /// <summary>Writes until <paramref name="stop"/> is cancelled; never throws for a database error.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        NpgsqlConnection? connection = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var sequence = 0L;
                try
                {
                    connection ??= await postgres.OpenPrimaryAsync(stop);
                    sequence = ledger.Next();
                    await using var insert = new NpgsqlCommand($"INSERT INTO {table.Quoted} (seq) VALUES (@seq) RETURNING pg_current_wal_insert_lsn()::text", connection)
                    {
                        CommandTimeout = WriteTimeoutSeconds,
                    };
                    insert.Parameters.AddWithValue("seq", sequence);
                    var lsn = (string?)await insert.ExecuteScalarAsync(stop);
                    if (lsn is null)
                    {
                        ledger.Fail();
                    }
                    else
                    {
                        ledger.Acknowledge(sequence, lsn);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    if (sequence > 0)
                    {
                        ledger.Fail();
                    }

                    break;
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
                {
                    if (sequence > 0)
                    {
                        ledger.Fail();
                    }

                    Log.WriteFailed(logger, sequence, ex.GetType().Name, (ex as PostgresException)?.SqlState);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }

                try
                {
                    await Task.Delay(interval, time, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>The sequence numbers the primary has now (read after recovery).</summary>
    public async Task<IReadOnlySet<long>> ReadBackAsync(CancellationToken cancellationToken)
    {
        await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
        await using var select = new NpgsqlCommand($"SELECT seq FROM {table.Quoted}", connection);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var found = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetInt64(0));
        }

        return found;
    }

    private static partial class Log
    {
        // Never the exception's message: a connection error can carry the host and user.
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Live drill writer: write {Sequence} not acknowledged ({Error}, SQLSTATE {SqlState}); reconnecting")]
        public static partial void WriteFailed(ILogger logger, long sequence, string error, string? sqlState);
    }
}
