using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Retention clean-up of the audit table: a preview (rows, date range, bytes, index, free space), then after approval a
/// batched DELETE (one transaction and one statement timeout per batch) by the cutoff computed once at proposal time,
/// in the column's own type, then a plain VACUUM. It refuses to start, and pauses (then stops), while free space minus
/// the floor is less than the WAL its next step can write, while the archiver fails, while an inactive slot pins WAL or
/// while a standby lags (<see cref="CleanupGuard"/>). Resumable: deleting by the stored cutoff again is idempotent, and no
/// row newer than the retention is ever deleted. Before every batch and before the VACUUM the live state is compared
/// with the approved one; a difference stops the run with <see cref="ActionOutcome.StateChanged"/>, recording the rows
/// and batches already done. The batches are in AuditLogCleanupAction.Batches.cs, the re-checks in .Guards.cs.
/// </summary>
internal sealed partial class AuditLogCleanupAction(
    PostgresConnector postgres,
    DataVolumeMeter volume,
    IOptions<CleanupOptions> cleanupOptions,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<AuditLogCleanupAction> logger) : IRemediationAction
{
    public const string VacuumFullArgument = "vacuum_full";
    private const string TableParameter = "table";
    private const string ColumnParameter = "column";
    private const string CutoffParameter = "cutoff";
    private const string ColumnTypeParameter = "column_type";
    private const string CutoffValueParameter = "cutoff_value";
    private const string BatchSizeParameter = "batch_size";
    private const string BlockSizeParameter = "block_size";
    private const string SizeBeforeParameter = "total_bytes_before";

    /// <summary>"measured" when the approval was given with the data volume's free space measured, else "unknown".</summary>
    private const string FreeSpaceParameter = "free_space";
    private const string Measured = "measured";

    /// <summary>Figure: the deletion batches this run committed before it stopped.</summary>
    private const string BatchesFigure = "batches_done";

    private const string FirstFree =
        "deleting rows writes WAL and frees no disk space by itself: free space first (drop the inactive slot, fix archive_command then CHECKPOINT, or grow the PVC), then propose the clean-up again";

    private readonly CleanupOptions _cleanup = cleanupOptions.Value;

    public RemediationKind Kind => RemediationKind.AuditLogCleanup;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!postgres.IsConfigured)
        {
            return ActionProposal.NotApplicable(PostgresConnector.NotConfigured);
        }

        if (!QualifiedName.TryParse(_cleanup.Table, out var parsed) || !QualifiedName.IsIdentifier(_cleanup.TimestampColumn))
        {
            return ActionProposal.NotApplicable($"{CleanupOptions.Section}:Table or TimestampColumn is not a plain identifier.");
        }

        var table = parsed!;

        // Computed once, here: a resumed run deletes by this cutoff, never by a later now().
        var cutoff = request.Now.ToUniversalTime() - TimeSpan.FromDays(_cleanup.RetentionDays);
        CleanupPreview? preview;
        CleanupConditions conditions;
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            await using (var recovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection))
            {
                if (await recovery.ExecuteScalarAsync(cancellationToken) is true)
                {
                    return ActionProposal.NotApplicable($"{postgres.DescribePrimary()} is a standby (read-only): point Cerberus:Actions:PostgresConnectionString at the primary.");
                }
            }

            preview = await CleanupPreviewReader.ReadAsync(connection, table, _cleanup.TimestampColumn, cutoff, _cleanup.PreviewStatementTimeout, cancellationToken);
            if (preview is null)
            {
                return ActionProposal.NotApplicable($"{table.Text} (with a {_cleanup.TimestampColumn} column) does not exist on {postgres.DescribePrimary()}.");
            }

            conditions = await CleanupConditionsReader.ReadAsync(connection, volume, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            return ActionProposal.NotApplicable($"Could not preview {table.Text}: {SecretRedactor.Redact(ex.Message)}");
        }

        if (preview.Cutoff is not { } bound)
        {
            return ActionProposal.NotApplicable($"{table.Text}.{_cleanup.TimestampColumn} is {preview.ColumnType}: the clean-up compares only a timestamptz, timestamp or date column with its cutoff.");
        }

        if (preview.RowsOlder == 0)
        {
            return ActionProposal.NotApplicable($"No row of {table.Text} is older than {cutoff:yyyy-MM-dd HH:mm} UTC ({_cleanup.RetentionDays}-day retention): nothing to delete.");
        }

        var batchWal = CleanupGuard.BatchWalBound(_cleanup.BatchSize, preview.BlockSize, 0);
        if (CleanupGuard.Blocker(conditions, _cleanup, batchWal, conditions.Free.Known) is { } blocked)
        {
            Log.Refused(logger, table.Text, blocked);
            return ActionProposal.NotApplicable($"The clean-up of {table.Text} does not start: {blocked}; {FirstFree}.");
        }

        var vacuumFull = request.Arguments.TryGetValue(VacuumFullArgument, out var vf) && bool.TryParse(vf, out var v) && v;
        var dryRun = request.DryRun || options.Value.DryRun;
        var column = QualifiedName.Quote(_cleanup.TimestampColumn);
        var batches = (preview.RowsOlder + _cleanup.BatchSize - 1) / _cleanup.BatchSize;
        var vacuum = vacuumFull
            ? $"`SET lock_timeout = '{(long)_cleanup.VacuumFullLockTimeout.TotalMilliseconds}ms'; VACUUM (FULL, VERBOSE, ANALYZE) {table.Quoted}`"
            : $"`VACUUM (VERBOSE, ANALYZE) {table.Quoted}` (plain: no exclusive lock)";
        var description =
            (dryRun ? "DRY RUN — nothing will be deleted. Would run" : "Will run") +
            $" on {postgres.DescribePrimary()}, in about {batches} batches of {_cleanup.BatchSize} rows, one transaction each with `SET LOCAL statement_timeout = '{(long)_cleanup.BatchStatementTimeout.TotalMilliseconds}ms'`: " +
            $"`DELETE FROM {table.Quoted} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table.Quoted} WHERE {column} < {bound.Literal} LIMIT {_cleanup.BatchSize})) AND {column} < {bound.Literal}` " +
            "(the outer predicate re-checks a row another transaction updated in between), " +
            $"pausing (at most {Durations.Format(_cleanup.MaxPause)}, then stopping) while free space is short, the archiver fails, an inactive slot retains WAL or a standby has more than {ByteSize.Format(_cleanup.MaxUnflushedBytes)} of unflushed WAL; then {vacuum}. " +
            $"Rows at or after the cutoff {cutoff:yyyy-MM-dd HH:mm:ss} UTC are never touched.";
        var basedOn =
            RowsSentence(preview, table, cutoff) +
            $"{table.Text} takes {ByteSize.Format(preview.TotalBytes)} with indexes and TOAST (pg_total_relation_size). " +
            (preview.HasTimestampIndex
                ? $"An index on {_cleanup.TimestampColumn} exists: each batch finds its rows through it."
                : $"⚠ There is NO index on {_cleanup.TimestampColumn}: every batch scans the whole table sequentially ({batches} scans); consider `CREATE INDEX CONCURRENTLY` first.") +
            (bound.DbType == NpgsqlTypes.NpgsqlDbType.TimestampTz
                ? string.Empty
                : $" {_cleanup.TimestampColumn} is {preview.ColumnType}: the cutoff is bound as {bound.Literal}, the earlier of its UTC and server-TimeZone wall clocks, so no row newer than the retention qualifies whichever zone wrote it.") +
            " DELETE frees no disk space by itself: plain VACUUM makes the space reusable and only returns empty pages at the end of the table. " +
            CleanupGuard.Describe(conditions, _cleanup, batchWal);
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = table.Text,
            Description = description,
            BasedOn = basedOn,
            ObservedFingerprint = Fingerprint(preview),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [TableParameter] = table.Text,
                [ColumnParameter] = _cleanup.TimestampColumn,
                [CutoffParameter] = cutoff.ToString("O", CultureInfo.InvariantCulture),
                [ColumnTypeParameter] = bound.ColumnType,
                [CutoffValueParameter] = bound.Text,
                [BatchSizeParameter] = _cleanup.BatchSize.ToString(CultureInfo.InvariantCulture),
                [BlockSizeParameter] = preview.BlockSize.ToString(CultureInfo.InvariantCulture),
                [FreeSpaceParameter] = conditions.Free.Known ? Measured : "unknown",
                [VacuumFullArgument] = vacuumFull ? "true" : "false",
                [SizeBeforeParameter] = preview.TotalBytes.ToString(CultureInfo.InvariantCulture),
            },
            RiskWarning = vacuumFull
                ? $"VACUUM FULL takes an ACCESS EXCLUSIVE lock on {table.Text} for its whole run — every read and write of the table (and every request that writes an audit row) waits — and it needs free disk space for a complete copy of the live table and its indexes (up to {ByteSize.Format(preview.TotalBytes)}), writing as much WAL. lock_timeout {Durations.Format(_cleanup.VacuumFullLockTimeout)} only bounds the wait for the lock." +
                  (conditions.Free.Known ? string.Empty : " Free space is unknown, so that room is not checked before it starts.")
                : null,
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        Log.Proposed(logger, table.Text, preview.RowsOlder, cutoff);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var cleanup = Read(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var preview = await CleanupPreviewReader.ReadAsync(connection, cleanup.Table, cleanup.Column, cleanup.Cutoff, _cleanup.PreviewStatementTimeout, cancellationToken);
            return preview is null ? $"table={cleanup.Table.Text};absent" : Fingerprint(preview);
        }
        catch (NpgsqlException ex)
        {
            return "unreadable: " + SecretRedactor.Redact(ex.Message);
        }
    }

    public Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return Task.FromResult(ActionOutcome.Success($"dry run: would delete the rows of {action.Target} older than {action.Parameters[CutoffParameter]} in batches, then VACUUM; nothing was deleted."));
        }

        return RunAsync(action, progress, resumed: false, cancellationToken);
    }

    /// <summary>
    /// No row older than the cutoff remains (an EXISTS that stops at the first one, through the index when there is
    /// one, within the batch statement timeout), and the rows kept by pg_class.reltuples after the VACUUM's ANALYZE:
    /// no count over the whole table.
    /// </summary>
    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        var cleanup = Read(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var any = await CleanupPreviewReader.AnyOlderAsync(connection, cleanup.Table, cleanup.Column, cleanup.Bound, _cleanup.BatchStatementTimeout, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid) FROM pg_class c WHERE c.oid = @table::regclass", connection);
            command.Parameters.AddWithValue("table", cleanup.Table.Text);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var kept = reader.GetInt64(0);
            var size = reader.GetInt64(1);
            var sizes = $"≈ {kept} rows kept (pg_class.reltuples); {cleanup.Table.Text} {ByteSize.Format(Before(action))} → {ByteSize.Format(size)}.";
            return any switch
            {
                false => ActionOutcome.Success($"Verified: no row older than {cleanup.Cutoff:yyyy-MM-dd HH:mm} UTC remains; {sizes}"),
                true => ActionOutcome.Failure($"Not clean: rows older than {cleanup.Cutoff:yyyy-MM-dd HH:mm} UTC remain; {sizes}"),
                null => ActionOutcome.Failure($"Not verified: the check for rows older than {cleanup.Cutoff:yyyy-MM-dd HH:mm} UTC did not finish within {Durations.Format(_cleanup.BatchStatementTimeout)} (no index on {cleanup.Column}?); {sizes}"),
            };
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"Could not verify {cleanup.Table.Text}: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    /// <summary>Resumes the batches by the stored cutoff (idempotent), then VACUUM.</summary>
    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.DryRun
            ? Task.FromResult(ActionOutcome.Success("dry run: nothing ran, nothing to resume."))
            : RunAsync(action, progress, resumed: true, cancellationToken);
    }

    private string RowsSentence(CleanupPreview preview, QualifiedName table, DateTimeOffset cutoff)
    {
        var retention = $"older than {cutoff:yyyy-MM-dd HH:mm} UTC ({_cleanup.RetentionDays}-day retention)";
        if (preview.RowsExact)
        {
            return $"{preview.RowsOlder} rows of {table.Text} are {retention}, from {preview.Oldest:yyyy-MM-dd} to {preview.Newest:yyyy-MM-dd} (exact count through the index on {_cleanup.TimestampColumn}); ";
        }

        var why = preview.HasTimestampIndex
            ? $"the count through the index did not finish within {Durations.Format(_cleanup.PreviewStatementTimeout)}"
            : $"no index on {_cleanup.TimestampColumn}, so no count that would scan the table";
        return $"≈ {preview.RowsOlder} rows of {table.Text} are {retention} (planner estimate: pg_class.reltuples × the selectivity of {_cleanup.TimestampColumn} < cutoff, by EXPLAIN; {why}); ";
    }

    private static string Fingerprint(CleanupPreview preview) =>
        string.Create(CultureInfo.InvariantCulture, $"oid={preview.Oid};index={preview.HasTimestampIndex};older_rows={preview.RowsOlder > 0}");

    /// <summary>The approved parameters. A record proposed before column types were bound reads as timestamptz.</summary>
    private static ApprovedCleanup Read(ActionRecord action)
    {
        if (!QualifiedName.TryParse(action.Parameters.GetValueOrDefault(TableParameter), out var table)
            || action.Parameters.GetValueOrDefault(ColumnParameter) is not { } column || !QualifiedName.IsIdentifier(column)
            || !DateTimeOffset.TryParse(action.Parameters.GetValueOrDefault(CutoffParameter), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var cutoff)
            || !int.TryParse(action.Parameters.GetValueOrDefault(BatchSizeParameter), CultureInfo.InvariantCulture, out var batch) || batch <= 0)
        {
            throw new InvalidOperationException($"Action {action.Id} lacks valid table/column/cutoff/batch_size parameters; it was not proposed by this action.");
        }

        var bound = action.Parameters.TryGetValue(ColumnTypeParameter, out var type) && action.Parameters.TryGetValue(CutoffValueParameter, out var value)
            ? CutoffBinding.Parse(type, value) ?? throw new InvalidOperationException($"Action {action.Id} has a cutoff '{value}' that does not parse as {type}.")
            : CutoffBinding.For(CutoffBinding.TimestampTz, cutoff, cutoff.UtcDateTime)!;
        var blockSize = int.TryParse(action.Parameters.GetValueOrDefault(BlockSizeParameter), CultureInfo.InvariantCulture, out var bs) && bs > 0 ? bs : 8192;
        var measured = string.Equals(action.Parameters.GetValueOrDefault(FreeSpaceParameter), Measured, StringComparison.Ordinal);
        return new ApprovedCleanup(table!, column, cutoff, bound, batch, blockSize, measured);
    }

    private static long Before(ActionRecord action) =>
        long.TryParse(action.Parameters.GetValueOrDefault(SizeBeforeParameter), CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static Dictionary<string, string> Figures(long deleted, long? after, ActionRecord action)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ActionFigureKeys.RowsDeleted] = deleted.ToString(CultureInfo.InvariantCulture),
        };
        if (after is { } a)
        {
            figures[ActionFigureKeys.BytesFreed] = Math.Max(0, Before(action) - a).ToString(CultureInfo.InvariantCulture);
        }

        return figures;
    }

    /// <summary>What the approval was given for, read back from the record.</summary>
    private sealed record ApprovedCleanup(
        QualifiedName Table, string Column, DateTimeOffset Cutoff, CutoffBinding Bound, int BatchSize, int BlockSize, bool FreeSpaceMeasured);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed clean-up of {Table}: {Rows} rows older than {Cutoff}")]
        public static partial void Proposed(ILogger logger, string table, long rows, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Deleted {Rows} rows of {Table} in {Batches} batches")]
        public static partial void Deleted(ILogger logger, string table, long rows, int batches);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Clean-up of {Table} stopped after {Batches} batches: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string table, int batches, string approved, string observed);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Clean-up of {Table} refused: {Reason}")]
        public static partial void Refused(ILogger logger, string table, string reason);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Clean-up of {Table} stopped after {Batches} batches, paused too long: {Reason}")]
        public static partial void PausedTooLong(ILogger logger, string table, int batches, string reason);
    }
}
