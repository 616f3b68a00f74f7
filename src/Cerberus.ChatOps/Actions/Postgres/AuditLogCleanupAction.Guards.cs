using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Timing;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The re-checks before every step: the live state against the approved one (issue 14), and the disk guards (free
/// space floor, archiver, slots, standby lag) with a bounded wait.
/// </summary>
internal sealed partial class AuditLogCleanupAction
{
    /// <summary>
    /// Null while the live state is the approved one; otherwise (approved, observed). Compared: the table still
    /// resolves to the approved oid (not dropped and re-created), the timestamp column exists with the type its cutoff
    /// was bound in, the index the card promised still exists (one that appears since is fine: fewer scans), the session
    /// is on a primary, and the stored cutoff is still at least the configured retention old (a longer retention
    /// configured since would make it delete rows the new retention keeps).
    /// </summary>
    private async Task<(string Approved, string Observed)?> RecheckAsync(
        NpgsqlConnection connection, ActionRecord action, ApprovedCleanup cleanup, CancellationToken cancellationToken)
    {
        var (table, column, cutoff) = (cleanup.Table, cleanup.Column, cleanup.Cutoff);
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_is_in_recovery(),
                   to_regclass(@table)::oid::bigint,
                   (SELECT format_type(a.atttypid, NULL) FROM pg_attribute a WHERE a.attrelid = to_regclass(@table) AND a.attname = @column AND NOT a.attisdropped),
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                           WHERE i.indrelid = to_regclass(@table) AND i.indisvalid AND ia.attname = @column)
            """, connection);
        command.Parameters.AddWithValue("table", table.Text);
        command.Parameters.AddWithValue("column", column);
        bool inRecovery, indexed;
        string? type;
        long? oid;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            inRecovery = reader.GetBoolean(0);
            oid = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            type = reader.IsDBNull(2) ? null : reader.GetString(2);
            indexed = reader.GetBoolean(3);
        }

        var (approvedOid, approvedIndex) = ParseFingerprint(action.ObservedFingerprint);
        var oldest = time.GetUtcNow() - TimeSpan.FromDays(_cleanup.RetentionDays);
        var withinRetention = cutoff <= oldest;
        var approved = string.Create(CultureInfo.InvariantCulture,
            $"{table.Text} oid={approvedOid?.ToString(CultureInfo.InvariantCulture) ?? "?"};column={column} {cleanup.Bound.ColumnType};index={(approvedIndex is { } ai ? (ai ? "True" : "False") : "?")};primary=True;cutoff={cutoff:yyyy-MM-ddTHH:mm:ssZ} within retention");
        var observed = string.Create(CultureInfo.InvariantCulture,
            $"{table.Text} oid={oid?.ToString(CultureInfo.InvariantCulture) ?? "none"};column={(type is null ? "absent" : $"{column} {type}")};index={indexed};primary={!inRecovery};cutoff={cutoff:yyyy-MM-ddTHH:mm:ssZ} {(withinRetention ? "within retention" : $"NEWER than the {_cleanup.RetentionDays}-day retention now configured")}");
        var changed = inRecovery
                      || oid is null || (approvedOid is { } ao && ao != oid)
                      || !string.Equals(type, cleanup.Bound.ColumnType, StringComparison.Ordinal)
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

    /// <summary>The run waited <see cref="CleanupOptions.MaxPause"/> for room and stopped: nothing more was deleted.</summary>
    private ActionOutcome Paused(string why, QualifiedName table, long deleted, int batches, long earlier, ActionRecord action, string where)
    {
        Log.PausedTooLong(logger, table.Text, batches, why);
        var figures = Figures(earlier + deleted, null, action);
        figures[BatchesFigure] = batches.ToString(CultureInfo.InvariantCulture);
        return ActionOutcome.Failure(
            $"Stopped {where} after {deleted} rows in {batches} batches: {why} Resumable once that is fixed (the committed batches stay deleted).", figures);
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

    /// <summary>
    /// Null when the next step (writing at most <paramref name="nextStepWal"/> bytes of WAL) may run; otherwise, after
    /// waiting <see cref="CleanupOptions.MaxPause"/> on the injected clock, why the run stops. Every check reads the
    /// live conditions again: free space by df, the archiver, the slots, the standbys.
    /// </summary>
    private async Task<string?> WaitForRoomAsync(
        NpgsqlConnection connection, long nextStepWal, bool measuredAtApproval, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var paused = false;
        string? lastWhy = null;
        var lastReport = 0L;
        var polled = await Poll.UntilAsync(time, _cleanup.MaxPause, _cleanup.PauseInterval,
            async ct => CleanupGuard.Blocker(await CleanupConditionsReader.ReadAsync(connection, volume, ct), _cleanup, nextStepWal, measuredAtApproval),
            why => why is null,
            why =>
            {
                paused = true;

                // Said when the pause starts or its reason changes, then once a minute: not a line per check.
                if (!string.Equals(why, lastWhy, StringComparison.Ordinal) || time.GetElapsedTime(lastReport) >= TimeSpan.FromMinutes(1))
                {
                    progress.Report($"paused: {why}; checking every {Durations.Format(_cleanup.PauseInterval)} for up to {Durations.Format(_cleanup.MaxPause)}.");
                    (lastWhy, lastReport) = (why, time.GetTimestamp());
                }
            },
            cancellationToken);

        if (!polled.Converged)
        {
            return $"paused for {Durations.Format(_cleanup.MaxPause)} (the most it waits) because {polled.Last}.";
        }

        if (paused)
        {
            progress.Report("resuming: free space, the archiver, the slots and replication lag allow the next step again.");
        }

        return null;
    }
}
