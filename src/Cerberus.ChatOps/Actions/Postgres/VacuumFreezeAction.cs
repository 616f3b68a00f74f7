using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// <c>VACUUM (FREEZE, VERBOSE, TRUNCATE false)</c> of the tables with the oldest relfrozenxid on the primary, one at
/// a time, so age(datfrozenxid) falls back from wraparound. Before each table: still a primary, every approved table
/// still resolves to the approved oid (a change stops the run); a table already below the threshold, or one another
/// VACUUM is working on, is skipped. TRUNCATE false takes no ACCESS EXCLUSIVE lock and needs no transaction ID, so it
/// also runs past PostgreSQL's stop limit. Never single-user mode: that is the operator's, by hand.
/// A table is offered when its relfrozenxid or its relminmxid is over its threshold, the operator role may vacuum it,
/// and the xmin horizon is not held back further than its age (freezing would gain nothing). VACUUM writes WAL, so
/// it runs under the clean-up's disk rules (<see cref="CleanupGuard"/>): before the proposal and before each table,
/// free space minus the floor must hold the WAL that table's VACUUM can write, the archiver must work and no inactive
/// slot may pin WAL; a wraparound must not become a full disk.
/// </summary>
internal sealed partial class VacuumFreezeAction(
    PostgresConnector postgres,
    DataVolumeMeter volume,
    IOptions<CleanupOptions> cleanup,
    IOptions<ActionsOptions> options,
    IOptions<PostgresOptions> postgresOptions,
    TimeProvider time,
    ILogger<VacuumFreezeAction> logger) : IRemediationAction
{
    /// <summary>Argument: comma-separated <c>schema.table</c> names (default: the oldest tables over the threshold).</summary>
    public const string TablesArgument = "tables";

    /// <summary>Figure: how many tables were vacuumed.</summary>
    public const string TablesVacuumedFigure = "tables_vacuumed";

    /// <summary>Figure: the largest age(relfrozenxid) of the approved tables before → after.</summary>
    public const string AgeBeforeFigure = "xid_age_before";

    public const string AgeAfterFigure = "xid_age_after";

    private const string TablesParameter = "tables";
    private const string ThresholdParameter = "threshold";
    private const string MultixactThresholdParameter = "mxid_threshold";
    private const string FreeMeasuredParameter = "free_measured";

    public RemediationKind Kind => RemediationKind.VacuumFreeze;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!postgres.IsConfigured)
        {
            return ActionProposal.NotApplicable(PostgresConnector.NotConfigured);
        }

        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var settings = await XidHorizonReader.SettingsAsync(connection, cancellationToken);
            if (settings.InRecovery)
            {
                return ActionProposal.NotApplicable($"{postgres.DescribePrimary()} is a standby: VACUUM freezes nothing there (the primary's VACUUM does, through WAL); point Cerberus:Actions:PostgresConnectionString at the primary.");
            }

            var threshold = Threshold(settings);
            var mxThreshold = settings.MultixactFreezeMaxAge;
            var holders = await XidHorizonReader.HoldersAsync(connection, threshold, cancellationToken);
            var (tables, problem) = await ChooseAsync(connection, request.Arguments, threshold, mxThreshold, holders, cancellationToken);
            var databases = await XidHorizonReader.DatabasesAsync(connection, cancellationToken);
            var own = databases.FirstOrDefault(d => d.Name == settings.Database).Age;
            var elsewhere = databases.Count > 0 && databases[0].Name != settings.Database && databases[0].Age > own
                ? $" Database {databases[0].Name} is older ({XidWraparound.Count(databases[0].Age)}) and is not reached from this connection: run vacuumdb --freeze -d {databases[0].Name} there by hand."
                : string.Empty;
            if (tables is null)
            {
                return ActionProposal.NotApplicable(problem + elsewhere);
            }

            var walBound = 0L;
            for (var i = 0; i < tables.Count; i++)
            {
                if (await XidHorizonReader.TableSizeAsync(connection, tables[i].Oid, cancellationToken) is { } size)
                {
                    tables[i] = tables[i] with { Bytes = size };
                }

                walBound = Math.Max(walBound, await WalBoundAsync(connection, tables[i], cancellationToken));
            }

            // The first VACUUM's WAL must fit above the floor now; before each next one it is measured again.
            var conditions = await CleanupConditionsReader.ReadAsync(connection, volume, cancellationToken);
            if (CleanupGuard.Blocker(conditions, cleanup.Value, walBound, conditions.Free.Known) is { } blocked)
            {
                return ActionProposal.NotApplicable($"VACUUM (FREEZE) would write up to {ByteSize.Format(walBound)} of WAL on {postgres.DescribePrimary()}, and it must not fill the disk: {blocked}. Fix that first; a full pg_wal stops the server, which is worse than the wraparound warning.");
            }

            var dryRun = request.DryRun || options.Value.DryRun;
            var bytes = tables.Sum(t => t.Bytes);
            var statements = string.Join("; ", tables.Select(t =>
                $"`{Statement(t)}` (age {XidWraparound.Count(t.Age)}{(t.MultixactAge >= mxThreshold ? $", MultiXactId age {XidWraparound.Count(t.MultixactAge)}" : string.Empty)}, {ByteSize.Format(t.Bytes)} heap + TOAST)"));
            var left = XidWraparound.LeftBeforeStop(databases.Count > 0 ? databases[0].Age : 0);
            var stage = databases.Count == 0
                ? "ok"
                : XidWraparound.Worse(XidWraparound.Stage(databases[0].Age, threshold, settings.FailsafeAge),
                    XidWraparound.Stage(databases.Max(d => d.MultixactAge), mxThreshold, settings.MultixactFailsafeAge));
            var imminent = stage is "warn_limit" or "stop_limit" or "failsafe"
                ? $" Wraparound is imminent ({XidWraparound.Count(left)} transactions left before the stop limit): the bot never uses single-user mode; if this VACUUM cannot finish in time, stopping the postmaster for a single-user VACUUM is the operator's to do, by hand."
                : string.Empty;
            var action = new ActionRecord
            {
                Id = request.ActionId,
                Kind = Kind,
                Target = $"{postgres.DescribePrimary()}: {string.Join(", ", tables.Select(t => t.Text))}",
                Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                              $" on {postgres.DescribePrimary()}, one table at a time, each after a fresh check (still the primary, still the same table, still over the threshold {XidWraparound.Count(threshold)} or the MultiXactId threshold {XidWraparound.Count(mxThreshold)}, the horizon not held back further than its age, room on the disk for its WAL): {statements}. " +
                              $"Estimated cost: it reads up to {ByteSize.Format(bytes)} (less what the visibility map already marks all-frozen) and each index once when there are dead rows, and writes up to about {ByteSize.Format(bytes)} of WAL (a full-page image per page it freezes); " +
                              $"it holds a SHARE UPDATE EXCLUSIVE lock per table (reads and writes go on; DDL and other VACUUMs of that table wait), waits at most lock_timeout {Durations.Format(options.Value.LockTimeout)} for it, and runs at most {Durations.Format(options.Value.VacuumFreezeTimeout)} per table. " +
                              "TRUNCATE false: no ACCESS EXCLUSIVE lock and no transaction ID needed, so it runs even past the stop limit. " +
                              FreeSpaceText(conditions, walBound) + " " +
                              "The operator role owns each table (checked; a superuser for shared catalogs); if that changes, PostgreSQL skips it with a warning and the verification says its age did not drop." + imminent,
                RiskWarning = conditions.Free.Known
                    ? null
                    : $"Free space on the data volume is unknown ({conditions.Free.UnknownReason}): the VACUUM's WAL (up to {ByteSize.Format(walBound)}) is bounded only by the pg_wal ceiling {ByteSize.Format(cleanup.Value.MaxWalBytes)}.",
                BasedOn = $"age(datfrozenxid) of {settings.Database}: {XidWraparound.Count(own)}; tables: {string.Join(", ", tables.Select(t => $"{t.Text} (oid {t.Oid}) age {XidWraparound.Count(t.Age)}"))}. " +
                          (holders.Count > 0
                              ? $"The xmin horizon is held by {holders[0].Text}, {XidWraparound.Count(holders[0].Age)} transactions back{(holders.Count > 1 ? $" (and {holders.Count - 1} more)" : string.Empty)}: VACUUM cannot freeze past it, so the ages fall only to about {XidWraparound.Count(holders[0].Age)}; remove it first."
                              : "Nothing holds the xmin horizon as far back as the threshold.") + elsewhere,
                ObservedFingerprint = Fingerprint(false, tables),
                Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [TablesParameter] = string.Join(";", tables.Select(t => FormattableString.Invariant($"{t.Oid}:{t.Age}:{t.MultixactAge}:{t.Text}"))),
                    [ThresholdParameter] = threshold.ToString(CultureInfo.InvariantCulture),
                    [MultixactThresholdParameter] = mxThreshold.ToString(CultureInfo.InvariantCulture),
                    [FreeMeasuredParameter] = conditions.Free.Known ? "true" : "false",
                },
                DryRun = dryRun,
                ProposedBy = request.ProposedBy,
                ProposedAt = request.Now,
                ExpiresAt = request.Now + request.Expiry,
            };
            return ActionProposal.Of(action);
        }
        catch (NpgsqlException ex)
        {
            return ActionProposal.NotApplicable($"could not read the transaction-ID ages on {postgres.DescribePrimary()}: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            return await ObserveAsync(connection, Approved(action), cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            return "unreadable: " + SecretRedactor.Redact(ex.Message);
        }
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var approved = Approved(action);
        if (approved.Count == 0 || !TryThresholds(action, out var threshold, out var mxThreshold))
        {
            return ActionOutcome.Failure($"Nothing ran: the approval's table list or thresholds cannot be read ({action.Parameters.GetValueOrDefault(TablesParameter) ?? "none"}); propose again.", Figures(0));
        }

        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would run {string.Join("; ", approved.Select(a => Statement(a.Table)))} on {postgres.DescribePrimary()}; nothing ran.");
        }

        var measuredAtApproval = action.Parameters.GetValueOrDefault(FreeMeasuredParameter) == "true";
        var vacuumed = new List<string>();
        var skipped = new List<string>();
        var failed = new List<string>();
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var verbose = new List<string>();
            // VERBOSE's INFO carries the new relfrozenxid; a role that does not own the table gets only a WARNING ("skipping").
            connection.Notice += (_, e) => verbose.AddRange(e.Notice.Severity == "WARNING"
                ? [SecretRedactor.Redact(e.Notice.MessageText)]
                : e.Notice.MessageText.Split('\n').Where(l => l.StartsWith("new relfrozenxid", StringComparison.Ordinal) || l.StartsWith("removable cutoff", StringComparison.Ordinal)));
            foreach (var (table, _, _) in approved)
            {
                // Before each VACUUM, on the session that runs it: still the primary, every approved table still the same one.
                var observed = await ObserveAsync(connection, approved, cancellationToken);
                if (!string.Equals(observed, action.ObservedFingerprint, StringComparison.Ordinal))
                {
                    Log.StateChanged(logger, action.ObservedFingerprint, observed);
                    progress.Report($"VACUUM (FREEZE) of {table.Text} not run: the state changed since the approval ({action.ObservedFingerprint} → {observed}).");
                    return ActionOutcome.StateChanged(action.ObservedFingerprint, observed, Figures(vacuumed.Count));
                }

                if ((await XidHorizonReader.TablesAsync(connection, [table.Oid], cancellationToken)).FirstOrDefault() is not { } now)
                {
                    skipped.Add($"{table.Text} (dropped a moment ago)");
                    continue;
                }

                if (!now.Over(threshold, mxThreshold))
                {
                    skipped.Add($"{table.Text} (already {XidWraparound.Count(now.Age)}, below the threshold)");
                    continue;
                }

                if (now.MultixactAge < mxThreshold && (await XidHorizonReader.HoldersAsync(connection, now.Age, cancellationToken)).FirstOrDefault(h => h.AgeFor(now) >= now.Age) is { } holder)
                {
                    skipped.Add($"{table.Text} (the xmin horizon is held by {holder.Text}, {XidWraparound.Count(holder.Age)} transactions back, older than the table's age {XidWraparound.Count(now.Age)}: freezing gains nothing until it is removed)");
                    continue;
                }

                // Room for this VACUUM's WAL, measured now (the previous tables' WAL is on the disk already).
                var walBound = await WalBoundAsync(connection, now, cancellationToken);
                if (CleanupGuard.Blocker(await CleanupConditionsReader.ReadAsync(connection, volume, cancellationToken), cleanup.Value, walBound, measuredAtApproval) is { } blocked)
                {
                    progress.Report($"VACUUM (FREEZE) of {table.Text} not run: {blocked}.");
                    failed.Add($"{table.Text} not run, and the run stopped: {blocked} (it could write up to {ByteSize.Format(walBound)} of WAL)");
                    break;
                }

                if (await VacuumingPidAsync(connection, table.Oid, cancellationToken) is { } pid)
                {
                    skipped.Add($"{table.Text} (another VACUUM, pid {pid}, is working on it: let it finish)");
                    continue;
                }

                progress.Report($"{Statement(table)} (age {XidWraparound.Count(now.Age)})…");
                var started = time.GetTimestamp();
                verbose.Clear();
                try
                {
                    await PostgresConnector.SetStatementTimeoutAsync(connection, options.Value.VacuumFreezeTimeout, cancellationToken);
                    await using var vacuum = new NpgsqlCommand(Statement(table), connection) { CommandTimeout = (int)Math.Ceiling(options.Value.VacuumFreezeTimeout.TotalSeconds) + 5 };
                    await vacuum.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled)
                {
                    failed.Add($"{table.Text}: {SecretRedactor.Redact(ex.MessageText)}");
                    continue;
                }
                finally
                {
                    // The session's next checks must not run under the VACUUM's long timeout (nor fail on a broken session).
                    if (connection.State == System.Data.ConnectionState.Open)
                    {
                        await using var reset = new NpgsqlCommand("RESET statement_timeout", connection);
                        await reset.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                if (verbose.FirstOrDefault(l => l.StartsWith("skipping", StringComparison.Ordinal)) is { } skippedByServer)
                {
                    failed.Add($"{table.Text}: {skippedByServer}");
                    continue;
                }

                var after = (await XidHorizonReader.TablesAsync(connection, [table.Oid], cancellationToken)).FirstOrDefault();
                var elapsed = time.GetElapsedTime(started);
                Log.Vacuumed(logger, table.Text, now.Age, after?.Age ?? -1, elapsed.TotalMilliseconds);
                var multixact = now.MultixactAge >= mxThreshold
                    ? $", MultiXactId age {XidWraparound.Count(now.MultixactAge)} → {(after is null ? "unknown" : XidWraparound.Count(after.MultixactAge))}"
                    : string.Empty;
                vacuumed.Add($"{table.Text} age {XidWraparound.Count(now.Age)} → {(after is null ? "unknown" : XidWraparound.Count(after.Age))}{multixact} in {Durations.Format(elapsed)}{(verbose.Count > 0 ? $" ({string.Join("; ", verbose)})" : string.Empty)}");
            }
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"VACUUM (FREEZE) failed after {vacuumed.Count} table(s): {SecretRedactor.Redact(ex.Message)}", Figures(vacuumed.Count));
        }

        var summary = string.Join(". ", new[]
        {
            vacuumed.Count > 0 ? "Vacuumed " + string.Join("; ", vacuumed) : null,
            skipped.Count > 0 ? "Skipped " + string.Join("; ", skipped) : null,
            failed.Count > 0 ? "Failed " + string.Join("; ", failed) : null,
        }.OfType<string>()) + ".";
        return failed.Count > 0
            ? ActionOutcome.Failure(summary, Figures(vacuumed.Count))
            : ActionOutcome.Success(summary, Figures(vacuumed.Count));
    }

    public Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken) =>
        ReportAsync(action, "Verified", cancellationToken);

    /// <summary>After a restart it reports the ages now and never re-runs a VACUUM (propose again if needed).</summary>
    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken) =>
        ReportAsync(action, "After the restart (not re-run)", cancellationToken);

    /// <summary>age(relfrozenxid) of every approved table at the proposal → now; it must have dropped for each.</summary>
    private async Task<ActionOutcome> ReportAsync(ActionRecord action, string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        var approved = Approved(action);
        if (approved.Count == 0 || !TryThresholds(action, out var threshold, out var mxThreshold))
        {
            return ActionOutcome.Failure($"{prefix}: the approval's table list cannot be read ({action.Parameters.GetValueOrDefault(TablesParameter) ?? "none"}), so nothing can be verified.");
        }

        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var now = (await XidHorizonReader.TablesAsync(connection, approved.Select(a => a.Table.Oid).ToList(), cancellationToken)).ToDictionary(t => t.Oid);
            var lines = new List<string>();
            var notDropped = new List<string>();
            foreach (var (table, before, mxBefore) in approved)
            {
                if (!now.TryGetValue(table.Oid, out var current) || current.Text != table.Text)
                {
                    notDropped.Add($"{table.Text} (gone or renamed)");
                    continue;
                }

                // The counter that was over its threshold must have fallen (XID age when neither was: a table named by hand).
                var mxOver = mxBefore >= mxThreshold;
                var xidOver = before >= threshold || !mxOver;
                lines.Add($"{table.Text} {XidWraparound.Count(before)} → {XidWraparound.Count(current.Age)}" +
                          (mxOver ? $" (MultiXactId age {XidWraparound.Count(mxBefore)} → {XidWraparound.Count(current.MultixactAge)})" : string.Empty));
                if ((xidOver && current.Age >= before) || (mxOver && current.MultixactAge >= mxBefore))
                {
                    notDropped.Add(table.Text);
                }
            }

            var holders = await XidHorizonReader.HoldersAsync(connection, 0, cancellationToken);
            var figures = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [AgeBeforeFigure] = approved.Select(a => a.Age).DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture),
                [AgeAfterFigure] = now.Values.Select(t => t.Age).DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture),
            };
            var text = $"{prefix}: age(relfrozenxid) {string.Join(", ", lines)}";
            return notDropped.Count == 0
                ? ActionOutcome.Success(text + ".", figures)
                : ActionOutcome.Failure($"{text}; not dropped: {string.Join(", ", notDropped)}{(holders.Count > 0 ? $" (the xmin horizon is held by {holders[0].Text}, {XidWraparound.Count(holders[0].Age)} transactions back)" : string.Empty)}.", figures);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"{prefix}: could not read age(relfrozenxid): {SecretRedactor.Redact(ex.Message)}");
        }
    }

    private string FreeSpaceText(CleanupConditions conditions, long walBound)
    {
        var free = conditions.Free;
        if (!free.Known)
        {
            return $"Free space unknown ({free.UnknownReason}): before each table the run checks instead that pg_wal holds less than {ByteSize.Format(cleanup.Value.MaxWalBytes)} (the fixed fallback), the archiver works and no inactive slot pins WAL.";
        }

        var floor = CleanupGuard.Floor(free.TotalBytes!.Value, conditions.MaxWalSizeBytes, cleanup.Value);
        return $"Free space: {ByteSize.Format(free.AvailableBytes!.Value)} of {ByteSize.Format(free.TotalBytes.Value)} ({free.Where}), floor {ByteSize.Format(floor)}; before each table it is measured again and the run stops unless free space minus the floor holds the WAL that table's VACUUM can write (at most {ByteSize.Format(walBound)} for the largest: a full-page image of every page of it and its indexes).";
    }

    /// <summary>The most WAL a VACUUM (FREEZE) of the table can write: a full-page image of every page, indexes included.</summary>
    private static async Task<long> WalBoundAsync(NpgsqlConnection connection, XidTable table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT (coalesce(sum(c.relpages::int8), 0) * current_setting('block_size')::int8)::int8 FROM pg_class c WHERE c.oid = @oid OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = @oid) OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = @oid OR indrelid = (SELECT reltoastrelid FROM pg_class WHERE oid = @oid))",
            connection);
        command.Parameters.AddWithValue("oid", NpgsqlTypes.NpgsqlDbType.Oid, (uint)table.Oid);
        var byCatalog = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return CleanupGuard.VacuumWalBound(Math.Max(byCatalog, table.Bytes), full: false);
    }

    private static bool TryThresholds(ActionRecord action, out long threshold, out long multixactThreshold)
    {
        // Records approved before MultiXactIds were considered have no MultiXactId threshold: only the XID age counts.
        multixactThreshold = long.MaxValue;
        return long.TryParse(action.Parameters.GetValueOrDefault(ThresholdParameter), NumberStyles.None, CultureInfo.InvariantCulture, out threshold)
               && (!action.Parameters.TryGetValue(MultixactThresholdParameter, out var mx)
                   || long.TryParse(mx, NumberStyles.None, CultureInfo.InvariantCulture, out multixactThreshold));
    }

    private long Threshold(XidSettings settings) =>
        postgresOptions.Value.WraparoundWarnAge > 0 ? postgresOptions.Value.WraparoundWarnAge : settings.FreezeMaxAge;

    /// <summary>
    /// The named tables (all must resolve, none temporary, each one the operator role may vacuum), or the oldest ones
    /// over either threshold that it may vacuum. A table whose only old counter is its XID age, while something holds
    /// the xmin horizon at least as far back, is not offered: VACUUM cannot freeze past the horizon, so it would gain
    /// nothing; the holder is named instead.
    /// </summary>
    private static async Task<(List<XidTable>? Tables, string? Problem)> ChooseAsync(
        NpgsqlConnection connection, IReadOnlyDictionary<string, string> arguments, long threshold, long multixactThreshold,
        List<XidHolder> holders, CancellationToken cancellationToken)
    {
        // A logical slot's catalog_xmin holds back only pg_catalog: user tables can still be frozen past it.
        XidHolder? Blocking(XidTable t) => holders.FirstOrDefault(h => h.AgeFor(t) >= t.Age);
        bool Gains(XidTable t) => t.MultixactAge >= multixactThreshold || Blocking(t) is null;
        string HeldBack(XidTable t) => Blocking(t) is { } h
            ? $"the xmin horizon is held by {h.Text}, {XidWraparound.Count(h.Age)} transactions back, at least as old as the tables' ages: VACUUM cannot freeze past it, so it would gain nothing. Remove that first (the wraparound diagnosis says how), then propose again."
            : "VACUUM would gain nothing.";
        if (arguments.TryGetValue(TablesArgument, out var list) && !string.IsNullOrWhiteSpace(list))
        {
            var oids = new List<long>();
            foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!QualifiedName.TryParse(name, out var parsed))
                {
                    return (null, $"`{name}` is not a schema.table name (plain lower-case identifiers).");
                }

                await using var resolve = new NpgsqlCommand("SELECT to_regclass(@name)::oid::int8", connection);
                resolve.Parameters.AddWithValue("name", parsed!.Quoted);
                if (await resolve.ExecuteScalarAsync(cancellationToken) is not long oid)
                {
                    return (null, $"table {parsed.Text} does not exist.");
                }

                oids.Add(oid);
            }

            var named = await XidHorizonReader.TablesAsync(connection, oids, cancellationToken);
            if (named.Count != oids.Distinct().Count() || named.Any(t => t.Temporary))
            {
                return (null, "only ordinary tables and materialized views can be frozen here (a temporary table only by its own session).");
            }

            if (named.Where(t => !t.MayVacuum).ToList() is { Count: > 0 } foreign)
            {
                return (null, $"the operator role does not own {string.Join(", ", foreign.Select(t => t.Text))} (nor the database, nor is it a superuser), so PostgreSQL would skip it: its owner or a superuser must VACUUM (FREEZE) it.");
            }

            return named.All(t => !Gains(t)) ? (null, HeldBack(named[0])) : (named, null);
        }

        // Only plain names are offered by themselves (the record keeps them as text); others are named for the operator.
        var oldest = await XidHorizonReader.OldestTablesAsync(connection, WraparoundProbe.TableCount, threshold, multixactThreshold, cancellationToken);
        var over = oldest.Where(t => t.Over(threshold, multixactThreshold) && !t.Temporary).ToList();
        var odd = over.Where(t => !QualifiedName.IsIdentifier(t.Schema) || !QualifiedName.IsIdentifier(t.Name)).ToList();
        var foreignOld = over.Where(t => !t.MayVacuum).Except(odd).ToList();
        var offered = over.Except(odd).Except(foreignOld).ToList();
        var gaining = offered.Where(Gains).ToList();
        if (gaining.Count > 0)
        {
            return (gaining, null);
        }

        if (offered.Count > 0)
        {
            return (null, HeldBack(offered[0]));
        }

        if (foreignOld.Count > 0)
        {
            return (null, $"the oldest tables ({string.Join(", ", foreignOld.Select(t => t.Text))}) are not the operator role's (nor is it the database owner or a superuser), so PostgreSQL would skip them: their owner or a superuser must VACUUM (FREEZE) them.");
        }

        return odd.Count > 0
            ? (null, $"the oldest tables have names the bot does not quote by itself ({string.Join(", ", odd.Select(t => t.Text))}): VACUUM (FREEZE) them by hand.")
            : (null, $"no table is older than the threshold {XidWraparound.Count(threshold)} (MultiXactIds: {XidWraparound.Count(multixactThreshold)}; the oldest: {(oldest.Count > 0 ? $"{oldest[0].Text}, age {XidWraparound.Count(oldest[0].Age)}, MultiXactId age {XidWraparound.Count(oldest[0].MultixactAge)}" : "none")}).");
    }

    private static async Task<string> ObserveAsync(NpgsqlConnection connection, IReadOnlyList<(XidTable Table, long Age, long MultixactAge)> approved, CancellationToken cancellationToken)
    {
        var settings = await XidHorizonReader.SettingsAsync(connection, cancellationToken);
        var now = (await XidHorizonReader.TablesAsync(connection, approved.Select(a => a.Table.Oid).ToList(), cancellationToken)).ToDictionary(t => t.Oid);
        return Fingerprint(settings.InRecovery, approved.Select(a => now.TryGetValue(a.Table.Oid, out var t) ? t : a.Table with { Name = a.Table.Name + "(gone)" }));
    }

    private static async Task<int?> VacuumingPidAsync(NpgsqlConnection connection, long oid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_progress_vacuum WHERE relid::int8 = @oid AND pid <> pg_backend_pid() LIMIT 1", connection);
        command.Parameters.AddWithValue("oid", oid);
        return await command.ExecuteScalarAsync(cancellationToken) as int?;
    }

    /// <summary>
    /// The approved tables with their ages at the proposal, from the record's parameters: "oid:age:mxid_age:schema.table;…"
    /// (records from before MultiXactIds counted: "oid:age:schema.table"). An entry that does not parse is left out, so a
    /// damaged list reads as fewer tables, and an empty one refuses to run.
    /// </summary>
    private static List<(XidTable Table, long Age, long MultixactAge)> Approved(ActionRecord action)
    {
        var approved = new List<(XidTable, long, long)>();
        foreach (var entry in (action.Parameters.GetValueOrDefault(TablesParameter) ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(':', 4);
            var (mx, name) = parts.Length == 4 && Number(parts[2], out var m) ? (m, parts[3]) : (0L, string.Join(':', parts.Skip(2)));
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (parts.Length < 3 || !Number(parts[0], out var oid) || !Number(parts[1], out var age) || dot <= 0 || dot == name.Length - 1)
            {
                continue;
            }

            approved.Add((new XidTable(oid, name[..dot], name[(dot + 1)..], age, 0, false, mx), age, mx));
        }

        return approved;

        static bool Number(string text, out long value) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string Statement(XidTable table) =>
        $"VACUUM (FREEZE, VERBOSE, TRUNCATE false) {QualifiedName.Quote(table.Schema)}.{QualifiedName.Quote(table.Name)}";

    private static string Fingerprint(bool inRecovery, IEnumerable<XidTable> tables) =>
        $"primary={!inRecovery};tables={string.Join(",", tables.Select(t => FormattableString.Invariant($"{t.Oid}:{t.Text}")))}";

    private static Dictionary<string, string> Figures(int vacuumed) => new(StringComparer.Ordinal)
    {
        [ActionOutcome.SideEffectsDoneFigure] = vacuumed.ToString(CultureInfo.InvariantCulture),
        [TablesVacuumedFigure] = vacuumed.ToString(CultureInfo.InvariantCulture),
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "VACUUM (FREEZE) {Table}: age(relfrozenxid) {Before} → {After} in {ElapsedMs:0} ms")]
        public static partial void Vacuumed(ILogger logger, string table, long before, long after, double elapsedMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "VACUUM (FREEZE) not run: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string approved, string observed);
    }
}
