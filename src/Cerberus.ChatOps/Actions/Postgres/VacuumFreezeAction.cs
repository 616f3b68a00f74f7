using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// <c>VACUUM (FREEZE, VERBOSE, TRUNCATE false)</c> of the tables with the oldest relfrozenxid on the primary, one at
/// a time, so age(datfrozenxid) falls back from wraparound. Before each table: still a primary, every approved table
/// still resolves to the approved oid (a change stops the run); a table already below the threshold, or one another
/// VACUUM is working on, is skipped. TRUNCATE false takes no ACCESS EXCLUSIVE lock and needs no transaction ID, so it
/// also runs past PostgreSQL's stop limit. Never single-user mode: that is the operator's, by hand.
/// </summary>
internal sealed partial class VacuumFreezeAction(
    PostgresConnector postgres,
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
            var (tables, problem) = await ChooseAsync(connection, request.Arguments, threshold, cancellationToken);
            var databases = await XidHorizonReader.DatabasesAsync(connection, cancellationToken);
            var own = databases.FirstOrDefault(d => d.Name == settings.Database).Age;
            var elsewhere = databases.Count > 0 && databases[0].Name != settings.Database && databases[0].Age > own
                ? $" Database {databases[0].Name} is older ({XidWraparound.Count(databases[0].Age)}) and is not reached from this connection: run vacuumdb --freeze -d {databases[0].Name} there by hand."
                : string.Empty;
            if (tables is null)
            {
                return ActionProposal.NotApplicable(problem + elsewhere);
            }

            for (var i = 0; i < tables.Count; i++)
            {
                if (await XidHorizonReader.TableSizeAsync(connection, tables[i].Oid, cancellationToken) is { } size)
                {
                    tables[i] = tables[i] with { Bytes = size };
                }
            }

            var holders = await XidHorizonReader.HoldersAsync(connection, threshold, cancellationToken);
            var dryRun = request.DryRun || options.Value.DryRun;
            var bytes = tables.Sum(t => t.Bytes);
            var statements = string.Join("; ", tables.Select(t =>
                $"`{Statement(t)}` (age {XidWraparound.Count(t.Age)}, {ByteSize.Format(t.Bytes)} heap + TOAST)"));
            var left = XidWraparound.LeftBeforeStop(databases.Count > 0 ? databases[0].Age : 0);
            var imminent = databases.Count > 0 && XidWraparound.Stage(databases[0].Age, threshold, settings.FailsafeAge) is "warn_limit" or "stop_limit" or "failsafe"
                ? $" Wraparound is imminent ({XidWraparound.Count(left)} transactions left before the stop limit): the bot never uses single-user mode; if this VACUUM cannot finish in time, stopping the postmaster for a single-user VACUUM is the operator's to do, by hand."
                : string.Empty;
            var action = new ActionRecord
            {
                Id = request.ActionId,
                Kind = Kind,
                Target = $"{postgres.DescribePrimary()}: {string.Join(", ", tables.Select(t => t.Text))}",
                Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                              $" on {postgres.DescribePrimary()}, one table at a time, each after a fresh check (still the primary, still the same table, still over the threshold {XidWraparound.Count(threshold)}): {statements}. " +
                              $"Estimated cost: it reads up to {ByteSize.Format(bytes)} (less what the visibility map already marks all-frozen) and each index once when there are dead rows, and writes up to about {ByteSize.Format(bytes)} of WAL (a full-page image per page it freezes); " +
                              $"it holds a SHARE UPDATE EXCLUSIVE lock per table (reads and writes go on; DDL and other VACUUMs of that table wait), waits at most lock_timeout {Durations.Format(options.Value.LockTimeout)} for it, and runs at most {Durations.Format(options.Value.VacuumFreezeTimeout)} per table. " +
                              "TRUNCATE false: no ACCESS EXCLUSIVE lock and no transaction ID needed, so it runs even past the stop limit. " +
                              "The operator role must own each table (a superuser for pg_catalog); otherwise PostgreSQL skips it with a warning and the verification says its age did not drop." + imminent,
                BasedOn = $"age(datfrozenxid) of {settings.Database}: {XidWraparound.Count(own)}; tables: {string.Join(", ", tables.Select(t => $"{t.Text} (oid {t.Oid}) age {XidWraparound.Count(t.Age)}"))}. " +
                          (holders.Count > 0
                              ? $"The xmin horizon is held by {holders[0].Text}, {XidWraparound.Count(holders[0].Age)} transactions back{(holders.Count > 1 ? $" (and {holders.Count - 1} more)" : string.Empty)}: VACUUM cannot freeze past it, so the ages fall only to about {XidWraparound.Count(holders[0].Age)}; remove it first."
                              : "Nothing holds the xmin horizon as far back as the threshold.") + elsewhere,
                ObservedFingerprint = Fingerprint(false, tables),
                Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [TablesParameter] = string.Join(";", tables.Select(t => FormattableString.Invariant($"{t.Oid}:{t.Age}:{t.Text}"))),
                    [ThresholdParameter] = threshold.ToString(CultureInfo.InvariantCulture),
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
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would run {string.Join("; ", approved.Select(a => Statement(a.Table)))} on {postgres.DescribePrimary()}; nothing ran.");
        }

        var threshold = long.TryParse(action.Parameters.GetValueOrDefault(ThresholdParameter), CultureInfo.InvariantCulture, out var t) ? t : 0;
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
            foreach (var (table, _) in approved)
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

                if (now.Age < threshold)
                {
                    skipped.Add($"{table.Text} (already {XidWraparound.Count(now.Age)}, below the threshold)");
                    continue;
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
                    await using (var vacuum = new NpgsqlCommand(Statement(table), connection) { CommandTimeout = (int)Math.Ceiling(options.Value.VacuumFreezeTimeout.TotalSeconds) + 5 })
                    {
                        await vacuum.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await using (var reset = new NpgsqlCommand("RESET statement_timeout", connection))
                    {
                        await reset.ExecuteNonQueryAsync(cancellationToken);
                    }
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled)
                {
                    failed.Add($"{table.Text}: {SecretRedactor.Redact(ex.MessageText)}");
                    continue;
                }

                if (verbose.FirstOrDefault(l => l.StartsWith("skipping", StringComparison.Ordinal)) is { } skippedByServer)
                {
                    failed.Add($"{table.Text}: {skippedByServer}");
                    continue;
                }

                var after = (await XidHorizonReader.TablesAsync(connection, [table.Oid], cancellationToken)).FirstOrDefault();
                var elapsed = time.GetElapsedTime(started);
                Log.Vacuumed(logger, table.Text, now.Age, after?.Age ?? -1, elapsed.TotalMilliseconds);
                vacuumed.Add($"{table.Text} age {XidWraparound.Count(now.Age)} → {(after is null ? "unknown" : XidWraparound.Count(after.Age))} in {Durations.Format(elapsed)}{(verbose.Count > 0 ? $" ({string.Join("; ", verbose)})" : string.Empty)}");
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
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var now = (await XidHorizonReader.TablesAsync(connection, approved.Select(a => a.Table.Oid).ToList(), cancellationToken)).ToDictionary(t => t.Oid);
            var lines = new List<string>();
            var notDropped = new List<string>();
            foreach (var (table, before) in approved)
            {
                if (!now.TryGetValue(table.Oid, out var current) || current.Text != table.Text)
                {
                    notDropped.Add($"{table.Text} (gone or renamed)");
                    continue;
                }

                lines.Add($"{table.Text} {XidWraparound.Count(before)} → {XidWraparound.Count(current.Age)}");
                if (current.Age >= before)
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

    private long Threshold(XidSettings settings) =>
        postgresOptions.Value.WraparoundWarnAge > 0 ? postgresOptions.Value.WraparoundWarnAge : settings.FreezeMaxAge;

    /// <summary>The named tables (all must resolve, none temporary), or the oldest ones over the threshold.</summary>
    private static async Task<(List<XidTable>? Tables, string? Problem)> ChooseAsync(
        NpgsqlConnection connection, IReadOnlyDictionary<string, string> arguments, long threshold, CancellationToken cancellationToken)
    {
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

            return (named, null);
        }

        // Only plain names are offered by themselves (the record keeps them as text); others are named for the operator.
        var oldest = await XidHorizonReader.OldestTablesAsync(connection, WraparoundProbe.TableCount, cancellationToken);
        var over = oldest.Where(t => t.Age >= threshold && !t.Temporary).ToList();
        var odd = over.Where(t => !QualifiedName.IsIdentifier(t.Schema) || !QualifiedName.IsIdentifier(t.Name)).ToList();
        over = over.Except(odd).ToList();
        return over.Count > 0
            ? (over, null)
            : odd.Count > 0
                ? (null, $"the oldest tables have names the bot does not quote by itself ({string.Join(", ", odd.Select(t => t.Text))}): VACUUM (FREEZE) them by hand.")
            : (null, $"no table is older than the threshold {XidWraparound.Count(threshold)} (the oldest: {(oldest.Count > 0 ? $"{oldest[0].Text}, age {XidWraparound.Count(oldest[0].Age)}" : "none")}).");
    }

    private static async Task<string> ObserveAsync(NpgsqlConnection connection, IReadOnlyList<(XidTable Table, long Age)> approved, CancellationToken cancellationToken)
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

    /// <summary>The approved tables with their age at the proposal, from the record's parameters ("oid:age:schema.table;...").</summary>
    private static List<(XidTable Table, long Age)> Approved(ActionRecord action) =>
        (action.Parameters.GetValueOrDefault(TablesParameter) ?? string.Empty)
        .Split(';', StringSplitOptions.RemoveEmptyEntries)
        .Select(entry => entry.Split(':', 3))
        .Where(p => p.Length == 3 && p[2].Contains('.', StringComparison.Ordinal))
        .Select(p =>
        {
            var dot = p[2].IndexOf('.', StringComparison.Ordinal);
            var age = long.Parse(p[1], CultureInfo.InvariantCulture);
            return (new XidTable(long.Parse(p[0], CultureInfo.InvariantCulture), p[2][..dot], p[2][(dot + 1)..], age, 0, false), age);
        })
        .ToList();

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
