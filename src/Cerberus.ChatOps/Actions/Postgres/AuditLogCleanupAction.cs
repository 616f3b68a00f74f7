using System.Globalization;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Retention clean-up of the audit table: a preview (rows, date range, bytes, index), then after approval a
/// batched DELETE (one transaction and one statement timeout per batch) by the cutoff computed once at proposal
/// time, pausing while replication lag or pg_wal cross a threshold, then a plain VACUUM. Resumable: deleting by the
/// stored cutoff again is idempotent, and no row newer than the retention is ever deleted. Before every batch and
/// before the VACUUM the live state is compared with the approved one; a difference stops the run with
/// <see cref="ActionOutcome.StateChanged"/>, recording the rows and batches already done.
/// </summary>
internal sealed partial class AuditLogCleanupAction(
    PostgresConnector postgres,
    IOptions<CleanupOptions> cleanupOptions,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<AuditLogCleanupAction> logger) : IRemediationAction
{
    public const string VacuumFullArgument = "vacuum_full";
    private const string TableParameter = "table";
    private const string ColumnParameter = "column";
    private const string CutoffParameter = "cutoff";
    private const string BatchSizeParameter = "batch_size";
    private const string SizeBeforeParameter = "total_bytes_before";

    /// <summary>Figure: the deletion batches this run committed before it stopped.</summary>
    private const string BatchesFigure = "batches_done";

    private readonly CleanupOptions _cleanup = cleanupOptions.Value;

    public RemediationKind Kind => RemediationKind.AuditLogCleanup;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!postgres.IsConfigured)
        {
            return ActionProposal.NotApplicable(PostgresConnector.NotConfigured);
        }

        if (!QualifiedName.TryParse(_cleanup.Table, out var table) || !QualifiedName.IsIdentifier(_cleanup.TimestampColumn))
        {
            return ActionProposal.NotApplicable($"{CleanupOptions.Section}:Table or TimestampColumn is not a plain identifier.");
        }

        // Computed once, here: a resumed run deletes by this cutoff, never by a later now().
        var cutoff = request.Now.ToUniversalTime() - TimeSpan.FromDays(_cleanup.RetentionDays);
        CleanupPreview? preview;
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

            preview = await PreviewAsync(connection, table!, _cleanup.TimestampColumn, cutoff, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            return ActionProposal.NotApplicable($"Could not preview {table!.Text}: {SecretRedactor.Redact(ex.Message)}");
        }

        if (preview is null)
        {
            return ActionProposal.NotApplicable($"{table!.Text} (with a {_cleanup.TimestampColumn} column) does not exist on {postgres.DescribePrimary()}.");
        }

        if (preview.RowsOlder == 0)
        {
            return ActionProposal.NotApplicable($"No row of {table!.Text} is older than {cutoff:yyyy-MM-dd HH:mm} UTC ({_cleanup.RetentionDays}-day retention): nothing to delete.");
        }

        var vacuumFull = request.Arguments.TryGetValue(VacuumFullArgument, out var vf) && bool.TryParse(vf, out var v) && v;
        var dryRun = request.DryRun || options.Value.DryRun;
        var column = QualifiedName.Quote(_cleanup.TimestampColumn);
        var batches = (preview.RowsOlder + _cleanup.BatchSize - 1) / _cleanup.BatchSize;
        var vacuum = vacuumFull
            ? $"`SET lock_timeout = '{(long)_cleanup.VacuumFullLockTimeout.TotalMilliseconds}ms'; VACUUM (FULL, VERBOSE, ANALYZE) {table!.Quoted}`"
            : $"`VACUUM (VERBOSE, ANALYZE) {table!.Quoted}` (plain: no exclusive lock)";
        var description =
            (dryRun ? "DRY RUN — nothing will be deleted. Would run" : "Will run") +
            $" on {postgres.DescribePrimary()}, in about {batches} batches of {_cleanup.BatchSize} rows, one transaction each with `SET LOCAL statement_timeout = '{(long)_cleanup.BatchStatementTimeout.TotalMilliseconds}ms'`: " +
            $"`DELETE FROM {table.Quoted} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table.Quoted} WHERE {column} < '{cutoff:yyyy-MM-ddTHH:mm:ss.fffZ}' LIMIT {_cleanup.BatchSize}))`, " +
            $"pausing while a standby has more than {PgLsn.Bytes(_cleanup.MaxUnflushedBytes)} of unflushed WAL or pg_wal exceeds {PgLsn.Bytes(_cleanup.MaxWalBytes)}; then {vacuum}. " +
            $"Rows at or after the cutoff {cutoff:yyyy-MM-dd HH:mm:ss} UTC are never touched.";
        var basedOn =
            $"{preview.RowsOlder} rows of {table.Text} are older than {cutoff:yyyy-MM-dd HH:mm} UTC ({_cleanup.RetentionDays}-day retention), from {preview.Oldest:yyyy-MM-dd} to {preview.Newest:yyyy-MM-dd}; " +
            $"{table.Text} takes {PgLsn.Bytes(preview.TotalBytes)} with indexes and TOAST (pg_total_relation_size). " +
            (preview.HasTimestampIndex
                ? $"An index on {_cleanup.TimestampColumn} exists: each batch finds its rows through it."
                : $"⚠ There is NO index on {_cleanup.TimestampColumn}: every batch scans the whole table sequentially ({batches} scans); consider `CREATE INDEX CONCURRENTLY` first.") +
            " DELETE frees no disk space by itself: plain VACUUM makes the space reusable and only returns empty pages at the end of the table.";
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
                [BatchSizeParameter] = _cleanup.BatchSize.ToString(CultureInfo.InvariantCulture),
                [VacuumFullArgument] = vacuumFull ? "true" : "false",
                [SizeBeforeParameter] = preview.TotalBytes.ToString(CultureInfo.InvariantCulture),
            },
            RiskWarning = vacuumFull
                ? $"VACUUM FULL takes an ACCESS EXCLUSIVE lock on {table.Text} for its whole run — every read and write of the table (and every request that writes an audit row) waits — and it needs free disk space for a complete copy of the live table and its indexes (up to {PgLsn.Bytes(preview.TotalBytes)}), writing as much WAL. lock_timeout {_cleanup.VacuumFullLockTimeout.TotalSeconds:0} s only bounds the wait for the lock."
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
        var (table, column, cutoff, _) = Read(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var preview = await PreviewAsync(connection, table, column, cutoff, cancellationToken);
            return preview is null ? $"table={table.Text};absent" : Fingerprint(preview);
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

    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        var (table, column, cutoff, _) = Read(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) FILTER (WHERE {QualifiedName.Quote(column)} < @cutoff), count(*) FILTER (WHERE {QualifiedName.Quote(column)} >= @cutoff), pg_total_relation_size(@table::regclass) FROM {table.Quoted}",
                connection) { CommandTimeout = 300 };
            command.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
            command.Parameters.AddWithValue("table", table.Text);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var older = reader.GetInt64(0);
            var newer = reader.GetInt64(1);
            var size = reader.GetInt64(2);
            var before = Before(action);
            var text = $"{older} rows older than {cutoff:yyyy-MM-dd HH:mm} UTC remain, {newer} newer rows kept; {table.Text} {PgLsn.Bytes(before)} → {PgLsn.Bytes(size)}.";
            return older == 0 ? ActionOutcome.Success("Verified: " + text) : ActionOutcome.Failure("Not clean: " + text);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"Could not verify {table.Text}: {SecretRedactor.Redact(ex.Message)}");
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

    private async Task<ActionOutcome> RunAsync(ActionRecord action, IProgress<string> progress, bool resumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var (table, column, cutoff, batchSize) = Read(action);
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

            var sql = $"DELETE FROM {table.Quoted} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table.Quoted} WHERE {QualifiedName.Quote(column)} < @cutoff LIMIT @limit))";
            var timeout = $"SET LOCAL statement_timeout = '{(long)_cleanup.BatchStatementTimeout.TotalMilliseconds}ms'";
            var lastReport = time.GetTimestamp();
            while (true)
            {
                if (await WaitForHeadroomAsync(connection, progress, cancellationToken) is { } stop)
                {
                    return ActionOutcome.Failure($"{stop} Stopped after {deleted} rows in {batches} batches; resumable (the committed batches stay deleted).", Figures(earlier + deleted, null, action));
                }

                // Before EVERY batch (the headroom wait above can last minutes): the table, its index, the primary and
                // the cutoff must still be those the approval was given for.
                if (await RecheckAsync(connection, action, table, column, cutoff, cancellationToken) is { } change)
                {
                    return Stopped(change, table, deleted, batches, earlier, action, progress);
                }

                int affected;
                await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
                {
                    await using (var set = new NpgsqlCommand(timeout, connection, tx))
                    {
                        await set.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await using (var delete = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = (int)_cleanup.BatchStatementTimeout.TotalSeconds + 10 })
                    {
                        delete.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
                        delete.Parameters.AddWithValue("limit", batchSize);
                        affected = await delete.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await tx.CommitAsync(cancellationToken);
                }

                deleted += affected;
                batches++;
                action.Figures[ActionFigureKeys.RowsDeleted] = (earlier + deleted).ToString(CultureInfo.InvariantCulture);
                if (affected < batchSize || time.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(5) || batches == 1)
                {
                    progress.Report($"batch {batches}: {affected} rows deleted, {deleted} in total, {time.GetElapsedTime(started).TotalSeconds:0} s.");
                    lastReport = time.GetTimestamp();
                }

                if (affected < batchSize)
                {
                    break;
                }
            }

            Log.Deleted(logger, table.Text, deleted, batches);
            if (await RecheckAsync(connection, action, table, column, cutoff, cancellationToken) is { } beforeVacuum)
            {
                return Stopped(beforeVacuum, table, deleted, batches, earlier, action, progress);
            }

            progress.Report(vacuumFull ? $"VACUUM FULL {table.Text} (ACCESS EXCLUSIVE)…" : $"VACUUM {table.Text}…");
            await VacuumAsync(connection, table, vacuumFull, progress, cancellationToken);
            var after = await TotalBytesAsync(connection, table, cancellationToken);
            var before = Before(action);
            return ActionOutcome.Success(
                $"{(resumed ? "Resumed: " : string.Empty)}deleted {deleted} rows older than {cutoff:yyyy-MM-dd HH:mm} UTC in {batches} batches{(earlier > 0 ? $" ({earlier + deleted} with the earlier run)" : string.Empty)}, then {(vacuumFull ? "VACUUM FULL" : "VACUUM")}; " +
                $"{table.Text} {PgLsn.Bytes(before)} → {PgLsn.Bytes(after)} in {time.GetElapsedTime(started).TotalSeconds:0.0} s." +
                (vacuumFull ? string.Empty : " Plain VACUUM makes the space reusable; the files shrink only where the table ends in empty pages."),
                Figures(earlier + deleted, after, action));
        }
        catch (NpgsqlException ex)
        {
            var reason = ex is PostgresException { SqlState: "57014" } ? "a batch hit its statement timeout" :
                ex is PostgresException { SqlState: "55P03" } ? "VACUUM FULL could not get its lock within lock_timeout" :
                SecretRedactor.Redact(ex.Message);
            return ActionOutcome.Failure($"Clean-up of {table.Text} stopped after {deleted} rows in {batches} batches: {reason}. Resumable: the committed batches stay deleted.", Figures(earlier + deleted, null, action));
        }
    }

    /// <summary>
    /// Null while the live state is the approved one; otherwise (approved, observed). Compared: the table still
    /// resolves to the approved oid (not dropped and re-created), the timestamp column exists, the index the card
    /// promised still exists (one that appears since is fine: fewer scans), the session is on a primary, and the stored
    /// cutoff is still at least the configured retention old (a longer retention configured since would make it
    /// delete rows the new retention keeps).
    /// </summary>
    private async Task<(string Approved, string Observed)?> RecheckAsync(
        NpgsqlConnection connection, ActionRecord action, QualifiedName table, string column, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_is_in_recovery(),
                   to_regclass(@table)::oid::bigint,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass(@table) AND a.attname = @column AND NOT a.attisdropped),
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                           WHERE i.indrelid = to_regclass(@table) AND i.indisvalid AND ia.attname = @column)
            """, connection);
        command.Parameters.AddWithValue("table", table.Text);
        command.Parameters.AddWithValue("column", column);
        bool inRecovery, hasColumn, indexed;
        long? oid;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            inRecovery = reader.GetBoolean(0);
            oid = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            hasColumn = reader.GetBoolean(2);
            indexed = reader.GetBoolean(3);
        }

        var (approvedOid, approvedIndex) = ParseFingerprint(action.ObservedFingerprint);
        var oldest = time.GetUtcNow() - TimeSpan.FromDays(_cleanup.RetentionDays);
        var withinRetention = cutoff <= oldest;
        var approved = string.Create(CultureInfo.InvariantCulture,
            $"{table.Text} oid={approvedOid?.ToString(CultureInfo.InvariantCulture) ?? "?"};column={column};index={(approvedIndex is { } ai ? (ai ? "True" : "False") : "?")};primary=True;cutoff={cutoff:yyyy-MM-ddTHH:mm:ssZ} within retention");
        var observed = string.Create(CultureInfo.InvariantCulture,
            $"{table.Text} oid={oid?.ToString(CultureInfo.InvariantCulture) ?? "none"};column={(hasColumn ? column : "absent")};index={indexed};primary={!inRecovery};cutoff={cutoff:yyyy-MM-ddTHH:mm:ssZ} {(withinRetention ? "within retention" : $"NEWER than the {_cleanup.RetentionDays}-day retention now configured")}");
        var changed = inRecovery
                      || oid is null || (approvedOid is { } ao && ao != oid)
                      || !hasColumn
                      || (approvedIndex == true && !indexed)
                      || !withinRetention;
        return changed ? (approved, observed) : null;
    }

    private ActionOutcome Stopped((string Approved, string Observed) change, QualifiedName table, long deleted, int batches, long earlier, ActionRecord action, IProgress<string> progress)
    {
        Log.StateChanged(logger, table.Text, batches, change.Approved, change.Observed);
        progress.Report($"Stopped before the next step after {deleted} rows in {batches} batches: the state changed since the approval ({change.Approved} → {change.Observed}). The committed batches stay deleted; a fresh approval is needed to go on.");
        var figures = Figures(earlier + deleted, null, action);
        figures[BatchesFigure] = batches.ToString(CultureInfo.InvariantCulture);
        figures[ActionOutcome.SideEffectsDoneFigure] = batches.ToString(CultureInfo.InvariantCulture);
        return ActionOutcome.StateChanged(change.Approved, change.Observed, figures);
    }

    /// <summary>The oid and index flag of this action's own fingerprint ("oid=…;index=…;older_rows=…").</summary>
    private static (long? Oid, bool? Index) ParseFingerprint(string fingerprint)
    {
        long? oid = null;
        bool? index = null;
        foreach (var part in fingerprint.Split(';'))
        {
            if (part.StartsWith("oid=", StringComparison.Ordinal) && long.TryParse(part[4..], CultureInfo.InvariantCulture, out var o))
            {
                oid = o;
            }
            else if (part.StartsWith("index=", StringComparison.Ordinal) && bool.TryParse(part[6..], out var i))
            {
                index = i;
            }
        }

        return (oid, index);
    }

    /// <summary>Null when the batches may go on; otherwise why they stop (paused too long).</summary>
    private async Task<string?> WaitForHeadroomAsync(NpgsqlConnection connection, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var pausedSince = (long?)null;
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT coalesce((SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)) FROM pg_stat_replication), 0)::bigint, (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::bigint",
                connection);
            long unflushed, wal;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                unflushed = reader.GetInt64(0);
                wal = reader.GetInt64(1);
            }

            if (unflushed <= _cleanup.MaxUnflushedBytes && wal <= _cleanup.MaxWalBytes)
            {
                if (pausedSince is not null)
                {
                    progress.Report("resuming: replication lag and pg_wal are back under their thresholds.");
                }

                return null;
            }

            var why = unflushed > _cleanup.MaxUnflushedBytes
                ? $"a standby has {PgLsn.Bytes(unflushed)} unflushed WAL (> {PgLsn.Bytes(_cleanup.MaxUnflushedBytes)})"
                : $"pg_wal holds {PgLsn.Bytes(wal)} (> {PgLsn.Bytes(_cleanup.MaxWalBytes)})";
            pausedSince ??= time.GetTimestamp();
            if (time.GetElapsedTime(pausedSince.Value) > _cleanup.MaxPause)
            {
                return $"Paused for more than {_cleanup.MaxPause.TotalMinutes:0} min because {why}.";
            }

            progress.Report($"paused: {why}; checking again in {_cleanup.PauseInterval.TotalSeconds:0} s.");
            await Task.Delay(_cleanup.PauseInterval, time, cancellationToken);
        }
    }

    private async Task VacuumAsync(NpgsqlConnection connection, QualifiedName table, bool full, IProgress<string> progress, CancellationToken cancellationToken)
    {
        void OnNotice(object sender, NpgsqlNoticeEventArgs e) => progress.Report(e.Notice.MessageText.Split('\n')[0]);
        connection.Notice += OnNotice;
        try
        {
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
            if (full)
            {
                await using var reset = new NpgsqlCommand("RESET lock_timeout", connection);
                await reset.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<CleanupPreview?> PreviewAsync(NpgsqlConnection connection, QualifiedName table, string column, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long oid, bytes;
        bool indexed;
        await using (var meta = new NpgsqlCommand(
            """
            SELECT c.oid::bigint, pg_total_relation_size(c.oid),
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                           WHERE i.indrelid = c.oid AND i.indisvalid AND ia.attname = @column)
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = @column AND NOT a.attisdropped
            WHERE c.oid = to_regclass(@table)
            """, connection))
        {
            meta.Parameters.AddWithValue("table", table.Text);
            meta.Parameters.AddWithValue("column", column);
            await using var reader = await meta.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            oid = reader.GetInt64(0);
            bytes = reader.GetInt64(1);
            indexed = reader.GetBoolean(2);
        }

        var quoted = QualifiedName.Quote(column);
        await using var count = new NpgsqlCommand(
            $"SELECT count(*), min({quoted})::timestamptz, max({quoted})::timestamptz FROM {table.Quoted} WHERE {quoted} < @cutoff",
            connection) { CommandTimeout = 300 };
        count.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        await using var rows = await count.ExecuteReaderAsync(cancellationToken);
        await rows.ReadAsync(cancellationToken);
        return new CleanupPreview(
            oid,
            bytes,
            indexed,
            rows.GetInt64(0),
            rows.IsDBNull(1) ? null : rows.GetFieldValue<DateTimeOffset>(1),
            rows.IsDBNull(2) ? null : rows.GetFieldValue<DateTimeOffset>(2));
    }

    private static async Task<long> TotalBytesAsync(NpgsqlConnection connection, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_total_relation_size(@table::regclass)", connection);
        command.Parameters.AddWithValue("table", table.Text);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static string Fingerprint(CleanupPreview preview) =>
        string.Create(CultureInfo.InvariantCulture, $"oid={preview.Oid};index={preview.HasTimestampIndex};older_rows={preview.RowsOlder > 0}");

    private static (QualifiedName Table, string Column, DateTimeOffset Cutoff, int BatchSize) Read(ActionRecord action)
    {
        if (!QualifiedName.TryParse(action.Parameters.GetValueOrDefault(TableParameter), out var table)
            || action.Parameters.GetValueOrDefault(ColumnParameter) is not { } column || !QualifiedName.IsIdentifier(column)
            || !DateTimeOffset.TryParse(action.Parameters.GetValueOrDefault(CutoffParameter), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var cutoff)
            || !int.TryParse(action.Parameters.GetValueOrDefault(BatchSizeParameter), CultureInfo.InvariantCulture, out var batch) || batch <= 0)
        {
            throw new InvalidOperationException($"Action {action.Id} lacks valid table/column/cutoff/batch_size parameters; it was not proposed by this action.");
        }

        return (table!, column, cutoff, batch);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed clean-up of {Table}: {Rows} rows older than {Cutoff}")]
        public static partial void Proposed(ILogger logger, string table, long rows, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Deleted {Rows} rows of {Table} in {Batches} batches")]
        public static partial void Deleted(ILogger logger, string table, long rows, int batches);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Clean-up of {Table} stopped after {Batches} batches: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string table, int batches, string approved, string observed);
    }
}
