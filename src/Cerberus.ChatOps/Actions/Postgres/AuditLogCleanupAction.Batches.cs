using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>The run: the deletion batches, each after the guards, then the VACUUM.</summary>
internal sealed partial class AuditLogCleanupAction
{
    private async Task<ActionOutcome> RunAsync(ActionRecord action, IProgress<string> progress, bool resumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var cleanup = Read(action);
        var (table, column, cutoff, batchSize) = (cleanup.Table, cleanup.Column, cleanup.Cutoff, cleanup.BatchSize);
        var vacuumFull = action.Parameters.TryGetValue(VacuumFullArgument, out var vf) && string.Equals(vf, "true", StringComparison.Ordinal);
        var started = time.GetTimestamp();
        long deleted = 0;
        var batches = 0;

        // Rows deleted by earlier runs of this action (the figure is kept cumulative on the record, batch by batch).
        var earlier = long.TryParse(action.Figures.GetValueOrDefault(ActionFigureKeys.RowsDeleted), CultureInfo.InvariantCulture, out var e) ? e : 0;
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            if (resumed)
            {
                progress.Report($"Resuming the clean-up of {table.Text} by the stored cutoff {cutoff:yyyy-MM-dd HH:mm:ss} UTC.");
            }

            // The outer predicate too: the TID scan's recheck does not re-evaluate the inner select, so a row updated
            // between the two (the DELETE follows the update chain) would otherwise be deleted past the cutoff.
            var quoted = QualifiedName.Quote(column);
            var sql = $"DELETE FROM {table.Quoted} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table.Quoted} WHERE {quoted} < @cutoff LIMIT @limit)) AND {quoted} < @cutoff";
            var timeout = $"SET LOCAL statement_timeout = '{(long)_cleanup.BatchStatementTimeout.TotalMilliseconds}ms'";
            var lastReport = time.GetTimestamp();
            long largestBatchWal = 0;
            while (true)
            {
                var batchWal = CleanupGuard.BatchWalBound(batchSize, cleanup.BlockSize, largestBatchWal);
                if (await WaitForRoomAsync(connection, batchWal, cleanup.FreeSpaceMeasured, progress, cancellationToken) is { } stop)
                {
                    return Paused(stop, table, deleted, batches, earlier, action, "before the next batch");
                }

                // Before EVERY batch (the wait above can last minutes): the table, its index, the column type, the
                // primary and the cutoff must still be those the approval was given for.
                if (await RecheckAsync(connection, action, cleanup, cancellationToken) is { } change)
                {
                    return Stopped(change, table, deleted, batches, earlier, action, progress);
                }

                var walBefore = await CleanupConditionsReader.WalPositionAsync(connection, cancellationToken);
                int affected;
                await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
                {
                    await using (var set = new NpgsqlCommand(timeout, connection, tx))
                    {
                        await set.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await using (var delete = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = (int)_cleanup.BatchStatementTimeout.TotalSeconds + 10 })
                    {
                        delete.Parameters.Add(cleanup.Bound.Parameter("cutoff"));
                        delete.Parameters.AddWithValue("limit", batchSize);
                        affected = await delete.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await tx.CommitAsync(cancellationToken);
                }

                largestBatchWal = Math.Max(largestBatchWal, await CleanupConditionsReader.WalPositionAsync(connection, cancellationToken) - walBefore);
                deleted += affected;
                batches++;
                action.Figures[ActionFigureKeys.RowsDeleted] = (earlier + deleted).ToString(CultureInfo.InvariantCulture);
                if (affected < batchSize || time.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(5) || batches == 1)
                {
                    progress.Report($"batch {batches}: {affected} rows deleted, {deleted} in total, {Durations.Format(time.GetElapsedTime(started))}.");
                    lastReport = time.GetTimestamp();
                }

                if (affected < batchSize)
                {
                    break;
                }
            }

            Log.Deleted(logger, table.Text, deleted, batches);
            if (await RecheckAsync(connection, action, cleanup, cancellationToken) is { } beforeVacuum)
            {
                return Stopped(beforeVacuum, table, deleted, batches, earlier, action, progress);
            }

            var vacuumWal = CleanupGuard.VacuumWalBound(await TotalBytesAsync(connection, table, cancellationToken), vacuumFull);
            if (await WaitForRoomAsync(connection, vacuumWal, cleanup.FreeSpaceMeasured, progress, cancellationToken) is { } noRoom)
            {
                return Paused(noRoom, table, deleted, batches, earlier, action, "before the VACUUM (the deleted rows stay deleted; the VACUUM did not run)");
            }

            progress.Report(vacuumFull ? $"VACUUM FULL {table.Text} (ACCESS EXCLUSIVE)…" : $"VACUUM {table.Text}…");
            await VacuumAsync(connection, table, vacuumFull, progress, cancellationToken);
            var after = await TotalBytesAsync(connection, table, cancellationToken);
            var before = Before(action);
            return ActionOutcome.Success(
                $"{(resumed ? "Resumed: " : string.Empty)}deleted {deleted} rows older than {cutoff:yyyy-MM-dd HH:mm} UTC in {batches} batches{(earlier > 0 ? $" ({earlier + deleted} with the earlier run)" : string.Empty)}, then {(vacuumFull ? "VACUUM FULL" : "VACUUM")}; " +
                $"{table.Text} {ByteSize.Format(before)} → {ByteSize.Format(after)} in {Durations.Format(time.GetElapsedTime(started))}." +
                (vacuumFull ? string.Empty : " Plain VACUUM makes the space reusable; the files shrink only where the table ends in empty pages."),
                Figures(earlier + deleted, after, action));
        }
        catch (NpgsqlException ex)
        {
            var reason = ex is PostgresException { SqlState: "57014" } ? "a statement hit its statement timeout" :
                ex is PostgresException { SqlState: "55P03" } ? (vacuumFull ? "VACUUM FULL or a batch could not get its lock within lock_timeout" : "a batch could not get a row lock within lock_timeout (a long transaction holds rows of the table)") :
                SecretRedactor.Redact(ex.Message);
            return ActionOutcome.Failure($"Clean-up of {table.Text} stopped after {deleted} rows in {batches} batches: {reason}. Resumable: the committed batches stay deleted.", Figures(earlier + deleted, null, action));
        }
    }

    private async Task VacuumAsync(NpgsqlConnection connection, QualifiedName table, bool full, IProgress<string> progress, CancellationToken cancellationToken)
    {
        void OnNotice(object sender, NpgsqlNoticeEventArgs e) => progress.Report(e.Notice.MessageText.Split('\n')[0]);
        connection.Notice += OnNotice;
        try
        {
            // The connection's statement_timeout bounds ordinary statements; the VACUUM gets its own, longer one.
            await PostgresConnector.SetStatementTimeoutAsync(connection, _cleanup.VacuumTimeout, cancellationToken);
            if (full)
            {
                await using var set = new NpgsqlCommand($"SET lock_timeout = '{(long)_cleanup.VacuumFullLockTimeout.TotalMilliseconds}ms'", connection);
                await set.ExecuteNonQueryAsync(cancellationToken);
            }

            // VACUUM cannot run inside a transaction block: this is an autocommit statement of its own.
            await using var vacuum = new NpgsqlCommand(
                full ? $"VACUUM (FULL, VERBOSE, ANALYZE) {table.Quoted}" : $"VACUUM (VERBOSE, ANALYZE) {table.Quoted}",
                connection) { CommandTimeout = (int)_cleanup.VacuumTimeout.TotalSeconds };
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            connection.Notice -= OnNotice;
            await using var reset = new NpgsqlCommand("RESET statement_timeout; RESET lock_timeout", connection);
            await reset.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<long> TotalBytesAsync(NpgsqlConnection connection, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_total_relation_size(@table::regclass)", connection);
        command.Parameters.AddWithValue("table", table.Text);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
