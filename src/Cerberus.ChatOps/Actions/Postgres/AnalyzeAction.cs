using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// After a promotion: <c>ANALYZE (SKIP_LOCKED)</c> of the tables that matter most on the new primary
/// (<see cref="AnalyzeTableReader"/>: largest first, then most scanned). A promoted standby's table counters start
/// from zero, so autovacuum and autoanalyze do not see what changed until enough new writes pile up; ANALYZE sets
/// n_live_tup and n_dead_tup again and refreshes the planner statistics. Low risk: it reads a sample, takes SHARE
/// UPDATE EXCLUSIVE (which blocks no reads or writes) and skips a table whose lock is held instead of queueing.
/// Before each table: still a primary.
/// </summary>
internal sealed partial class AnalyzeAction(
    PostgresConnector postgres,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<AnalyzeAction> logger) : IRemediationAction
{
    /// <summary>How many tables one card analyses.</summary>
    public const int MaxTables = 10;

    private const string TablesParameter = "tables";
    private const string NamesParameter = "table_names";

    private static readonly TimeSpan PerTableTimeout = TimeSpan.FromMinutes(10);

    public RemediationKind Kind => RemediationKind.Analyze;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!postgres.IsConfigured)
        {
            return ActionProposal.NotApplicable(PostgresConnector.NotConfigured);
        }

        IReadOnlyList<AnalyzeTable> all;
        bool inRecovery;
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            inRecovery = await PrimaryCheck.InRecoveryAsync(connection, cancellationToken);
            all = await AnalyzeTableReader.ReadAsync(connection, MaxTables * 3, null, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            return ActionProposal.NotApplicable($"Could not read the tables on {postgres.DescribePrimary()}: {SecretRedactor.Redact(ex.Message)}");
        }

        if (inRecovery)
        {
            return ActionProposal.NotApplicable($"{postgres.DescribePrimary()} is a standby: ANALYZE cannot run there; point Cerberus:Actions:PostgresConnectionString at the new primary.");
        }

        var tables = all.Where(t => t.MayAnalyze).Take(MaxTables).ToList();
        var refused = all.Where(t => !t.MayAnalyze).Take(5).ToList();
        var refusedClause = refused.Count == 0 ? string.Empty : $"; not offered (the operator role owns neither them nor the database): {string.Join(", ", refused.Select(t => t.Name))}";
        if (tables.Count == 0)
        {
            return ActionProposal.NotApplicable($"No table to analyse on {postgres.DescribePrimary()} that the operator role may analyse{refusedClause}.");
        }

        var dryRun = request.DryRun || options.Value.DryRun;
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = postgres.DescribePrimary(),
            Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                          $" on {postgres.DescribePrimary()}, one table at a time, each after checking that the server is still the primary: " +
                          string.Join(", ", tables.Select(t => $"`ANALYZE (SKIP_LOCKED) {t.Name}`")) +
                          ". It reads a sample of each table and takes SHARE UPDATE EXCLUSIVE (no read or write waits for it); a table whose lock is held (a running VACUUM, DDL) is skipped, not waited for.",
            BasedOn = "The tables that matter most, largest first (pg_class.relpages: the catalog came over with the replication, while a promoted standby's "
                      + "n_live_tup and n_mod_since_analyze start from zero and cannot rank), then most scanned here: "
                      + string.Join("; ", tables.Select(t => t.Describe())) + refusedClause,
            ObservedFingerprint = PrimaryCheck.Fingerprint(inRecovery: false),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [TablesParameter] = string.Join(",", tables.Select(t => t.Stored)),
                [NamesParameter] = string.Join(",", tables.Select(t => t.Name)),
            },
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        return ActionProposal.Of(action);
    }

    public Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken) => PrimaryCheck.ObserveAsync(postgres, cancellationToken);

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would ANALYZE {action.Parameters.GetValueOrDefault(NamesParameter)} on {action.Target}; nothing ran.");
        }

        if (AnalyzeTable.ParseStored(action.Parameters.GetValueOrDefault(TablesParameter)) is not { } approved)
        {
            return ActionOutcome.Failure("The approved table list is missing from the record; nothing ran.");
        }

        var analysed = new List<string>();
        var skipped = new List<string>();
        var started = time.GetTimestamp();
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            await PostgresConnector.SetStatementTimeoutAsync(connection, PerTableTimeout, cancellationToken);
            foreach (var (oid, _) in approved)
            {
                // Just before each ANALYZE: still the primary the approval was for.
                var observed = PrimaryCheck.Fingerprint(await PrimaryCheck.InRecoveryAsync(connection, cancellationToken));
                if (!string.Equals(observed, action.ObservedFingerprint, StringComparison.Ordinal))
                {
                    Log.StateChanged(logger, action.ObservedFingerprint, observed);
                    progress.Report($"ANALYZE stopped: the state changed since the approval ({action.ObservedFingerprint} → {observed}).");
                    return ActionOutcome.StateChanged(action.ObservedFingerprint, observed, new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [ActionOutcome.SideEffectsDoneFigure] = analysed.Count.ToString(CultureInfo.InvariantCulture),
                        [ActionFigureKeys.TablesAnalyzed] = string.Join(",", analysed),
                    });
                }

                var before = (await AnalyzeTableReader.ReadAsync(connection, 1, [oid], cancellationToken)).SingleOrDefault();
                if (before is null)
                {
                    skipped.Add($"oid {oid} (dropped since the proposal)");
                    continue;
                }

                // The name comes from the server's format('%I.%I'), quoted there.
                await using (var analyze = new NpgsqlCommand($"ANALYZE (SKIP_LOCKED) {before.Name}", connection) { CommandTimeout = (int)PerTableTimeout.TotalSeconds })
                {
                    await analyze.ExecuteNonQueryAsync(cancellationToken);
                }

                var after = (await AnalyzeTableReader.ReadAsync(connection, 1, [oid], cancellationToken)).SingleOrDefault();
                if (after is not null && after.AnalyzeCount > before.AnalyzeCount)
                {
                    analysed.Add(before.Name);
                    progress.Report($"ANALYZE {before.Name}: n_live_tup {before.LiveTuples} → {after.LiveTuples}");
                }
                else
                {
                    skipped.Add($"{before.Name} (its lock was held: skipped, not waited for)");
                    progress.Report($"ANALYZE {before.Name} skipped: its lock is held");
                }
            }
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"ANALYZE failed after {analysed.Count} table(s): {SecretRedactor.Redact(ex.Message)}",
                new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.TablesAnalyzed] = string.Join(",", analysed) });
        }

        Log.Analyzed(logger, analysed.Count, skipped.Count, time.GetElapsedTime(started).TotalMilliseconds);
        var summary = $"ANALYZE of {analysed.Count} table(s) in {Durations.Format(time.GetElapsedTime(started))}: {(analysed.Count == 0 ? "none" : string.Join(", ", analysed))}"
                      + (skipped.Count == 0 ? "." : $"; skipped: {string.Join(", ", skipped)}.");
        var figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.TablesAnalyzed] = string.Join(",", analysed) };
        return analysed.Count > 0 ? ActionOutcome.Success(summary, figures) : ActionOutcome.Failure(summary, figures);
    }

    /// <summary>analyze_count moved (and last_analyze is set) on every table of the card; the ones that did not are named.</summary>
    public Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken) =>
        ReportAsync(action, PrimaryReport.Verified, cancellationToken);

    /// <summary>Never re-runs ANALYZE after a restart: reports which tables were analysed since the proposal.</summary>
    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken) =>
        ReportAsync(action, PrimaryReport.AfterRestart, cancellationToken);

    private Task<ActionOutcome> ReportAsync(ActionRecord action, string prefix, CancellationToken cancellationToken) =>
        PrimaryReport.ReadAsync(postgres, action, prefix, "pg_stat_user_tables", async connection =>
        {
            if (AnalyzeTable.ParseStored(action.Parameters.GetValueOrDefault(TablesParameter)) is not { } approved)
            {
                return ActionOutcome.Failure($"{prefix}: the approved table list is missing from the record.");
            }

            var now = (await AnalyzeTableReader.ReadAsync(connection, approved.Count, [.. approved.Select(a => a.Oid)], cancellationToken)).ToDictionary(t => t.Oid);
            var moved = new List<string>();
            var notMoved = new List<string>();
            foreach (var (oid, before) in approved)
            {
                if (!now.TryGetValue(oid, out var table))
                {
                    notMoved.Add($"oid {oid} (gone)");
                }
                else if (table.AnalyzeCount > before && table.LastAnalyze is not null)
                {
                    moved.Add(string.Create(CultureInfo.InvariantCulture, $"{table.Name} analyze_count {before} → {table.AnalyzeCount}, n_live_tup {table.LiveTuples}"));
                }
                else
                {
                    notMoved.Add(string.Create(CultureInfo.InvariantCulture, $"{table.Name} (analyze_count still {table.AnalyzeCount})"));
                }
            }

            var figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.TablesAnalyzed] = moved.Count.ToString(CultureInfo.InvariantCulture) };
            var text = $"{prefix}: {moved.Count} of {approved.Count} table(s) analysed since the proposal: {(moved.Count == 0 ? "none" : string.Join("; ", moved))}"
                       + (notMoved.Count == 0 ? "." : $"; not analysed: {string.Join("; ", notMoved)}.");
            return notMoved.Count == 0 ? ActionOutcome.Success(text, figures) : ActionOutcome.Failure(text, figures);
        }, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "ANALYZE: {Analysed} table(s) analysed, {Skipped} skipped in {ElapsedMs:0} ms")]
        public static partial void Analyzed(ILogger logger, int analysed, int skipped, double elapsedMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "ANALYZE stopped: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string approved, string observed);
    }
}
