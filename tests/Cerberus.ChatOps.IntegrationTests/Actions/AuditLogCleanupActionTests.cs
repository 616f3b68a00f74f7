using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>The batched clean-up against a real audit.logs in the standalone server's cerberus database.</summary>
[Collection(LabCollection.Name)]
public sealed class AuditLogCleanupActionTests(LabFixture fixture)
{
    private const int Older = AuditLogTable.Older;
    private const int Newer = AuditLogTable.Newer;

    private Task<DateTimeOffset> SeedAsync(bool index) => new AuditLogTable(fixture.Lab).SeedAsync(index);

    private Task<(long Older, long Newer, long[] NewerIds)> CountAsync(DateTimeOffset cutoff) => new AuditLogTable(fixture.Lab).CountAsync(cutoff);

    [Fact]
    public async Task Cleanup_RowsOnBothSidesInterruptedThenReconciled_AllOlderGoneAllNewerSurviveAndVacuumRuns()
    {
        // arrange
        var now = await SeedAsync(index: true);
        var cutoff = now - TimeSpan.FromDays(90);
        var (_, _, newerIdsBefore) = await CountAsync(cutoff);
        var harness = new ActionHarness(fixture.Lab);
        harness.CleanupOptions.BatchSize = 4_000;
        var action = harness.Cleanup();
        using var interrupt = new CancellationTokenSource();
        var firstRun = new ListProgress(line =>
        {
            if (line.StartsWith("batch 1:", StringComparison.Ordinal))
            {
                interrupt.Cancel();
            }
        });
        var resumed = new ListProgress();

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None);
        var record = proposal.Action!;
        var observed = await action.ObserveAsync(record, CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => action.ExecuteAsync(record, firstRun, interrupt.Token));
        var (olderAfterInterruption, _, _) = await CountAsync(cutoff);
        var reconciled = await action.ReconcileAsync(record, resumed, CancellationToken.None);
        var verified = await action.VerifyAsync(record, CancellationToken.None);
        var (olderLeft, newerLeft, newerIdsAfter) = await CountAsync(cutoff);
        await using var connection = new NpgsqlConnection(fixture.Lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var vacuumed = new NpgsqlCommand("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE schemaname = 'audit' AND relname = 'logs'", connection);
        var vacuumRan = (bool)(await vacuumed.ExecuteScalarAsync())!;

        // assert
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        Assert.Contains($"{Older + 1} rows of audit.logs are older than", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("(exact count through the index on created_at)", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("LIMIT 4000)) AND \"created_at\" < '", record.Description, StringComparison.Ordinal);
        Assert.Contains("An index on created_at exists", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("LIMIT 4000", record.Description, StringComparison.Ordinal);
        Assert.Contains("VACUUM (VERBOSE, ANALYZE) \"audit\".\"logs\"", record.Description, StringComparison.Ordinal);
        Assert.Null(record.RiskWarning);
        Assert.Equal(record.ObservedFingerprint, observed);
        Assert.InRange(olderAfterInterruption, 1, Older + 1 - 4_000);
        Assert.True(reconciled.Succeeded, reconciled.Summary);
        Assert.Equal((Older + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), reconciled.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal((Older + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), record.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Contains($"deleted {olderAfterInterruption} rows", reconciled.Summary, StringComparison.Ordinal);
        Assert.True(reconciled.Figures.ContainsKey(ActionFigureKeys.BytesFreed));
        var batches = (olderAfterInterruption / 4_000) + 1; // the last one finds fewer than 4 000 rows
        Assert.Contains(resumed.Lines, l => l.StartsWith($"batch {batches}: {olderAfterInterruption % 4_000} rows deleted, {olderAfterInterruption} in total", StringComparison.Ordinal));
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.Equal(0, olderLeft);
        Assert.Equal(Newer + 1, newerLeft);
        Assert.Equal(newerIdsBefore, newerIdsAfter);
        Assert.True(vacuumRan);
    }

    [Fact]
    public async Task Cleanup_VacuumFullWithoutIndex_WarnsThenShrinksTheTable()
    {
        // arrange
        var now = await SeedAsync(index: false);
        var cutoff = now - TimeSpan.FromDays(90);
        var action = new ActionHarness(fixture.Lab).Cleanup();

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(now, arguments: ("vacuum_full", "true")), CancellationToken.None);
        var record = proposal.Action!;
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var (olderLeft, newerLeft, _) = await CountAsync(cutoff);

        // assert
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        Assert.Contains("There is NO index on created_at", record.BasedOn, StringComparison.Ordinal);
        Assert.Matches(@"≈ \d+ rows of audit\.logs are older than .* \(planner estimate: pg_class\.reltuples × the selectivity of created_at < cutoff, by EXPLAIN; no index on created_at", record.BasedOn);
        Assert.Contains("Free space unknown (Kubernetes is off", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("ACCESS EXCLUSIVE", record.RiskWarning, StringComparison.Ordinal);
        Assert.Contains("free disk space", record.RiskWarning, StringComparison.Ordinal);
        Assert.Contains("SET lock_timeout = '5000ms'; VACUUM (FULL, VERBOSE, ANALYZE)", record.Description, StringComparison.Ordinal);
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Equal((Older + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.True(long.Parse(executed.Figures[ActionFigureKeys.BytesFreed], System.Globalization.CultureInfo.InvariantCulture) > 0, executed.Summary);
        Assert.Equal(0, olderLeft);
        Assert.Equal(Newer + 1, newerLeft);
    }

    [Fact]
    public async Task Cleanup_DryRun_DescribesAndDeletesNothing()
    {
        // arrange
        var now = await SeedAsync(index: true);
        var cutoff = now - TimeSpan.FromDays(90);
        var action = new ActionHarness(fixture.Lab).Cleanup();

        // act
        var record = (await action.ProposeAsync(ActionHarness.Request(now, dryRun: true), CancellationToken.None)).Action!;
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var (olderLeft, newerLeft, _) = await CountAsync(cutoff);

        // assert
        Assert.True(record.DryRun);
        Assert.StartsWith("DRY RUN", record.Description, StringComparison.Ordinal);
        Assert.StartsWith("dry run: would delete", executed.Summary, StringComparison.Ordinal);
        Assert.Equal(Older + 1, olderLeft);
        Assert.Equal(Newer + 1, newerLeft);
    }

    [Fact]
    public async Task Cleanup_IndexDroppedAfterTheFirstBatch_StopsBeforeTheNextBatchAndRecordsWhatWasDeleted()
    {
        // arrange: the card promised "an index exists: each batch finds its rows through it"; it goes after batch 1
        var now = await SeedAsync(index: true);
        var cutoff = now - TimeSpan.FromDays(90);
        var harness = new ActionHarness(fixture.Lab);
        harness.CleanupOptions.BatchSize = 4_000;
        var action = harness.Cleanup();
        var progress = new ListProgress(line =>
        {
            if (line.StartsWith("batch 1:", StringComparison.Ordinal))
            {
                using var connection = new NpgsqlConnection(fixture.Lab.PostgresConnectionString);
                connection.Open();
                using var drop = new NpgsqlCommand("DROP INDEX audit.logs_created_at", connection);
                drop.ExecuteNonQuery();
            }
        });

        // act
        var record = (await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None)).Action!;
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
        var (olderLeft, newerLeft, _) = await CountAsync(cutoff);

        // assert
        Assert.False(executed.Succeeded);
        Assert.NotNull(executed.StateChange);
        Assert.Contains("index=True", executed.StateChange, StringComparison.Ordinal);
        Assert.Contains("→ audit.logs", executed.StateChange, StringComparison.Ordinal);
        Assert.Contains("index=False", executed.StateChange, StringComparison.Ordinal);
        Assert.StartsWith("state changed since the approval: ", executed.Summary, StringComparison.Ordinal);
        Assert.Equal("4000", executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal("1", executed.Figures["batches_done"]);
        Assert.Equal("1", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Equal(Older + 1 - 4_000, olderLeft);
        Assert.Equal(Newer + 1, newerLeft);
        Assert.DoesNotContain(progress.Lines, l => l.StartsWith("batch 2:", StringComparison.Ordinal) || l.StartsWith("VACUUM", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cleanup_RetentionLengthenedAfterTheApproval_StopsBeforeTheFirstBatch()
    {
        // arrange: approved with a 90-day cutoff; the retention is raised to 120 days before it runs
        var now = await SeedAsync(index: true);
        var cutoff = now - TimeSpan.FromDays(90);
        var harness = new ActionHarness(fixture.Lab);
        var action = harness.Cleanup();
        var record = (await action.ProposeAsync(ActionHarness.Request(now), CancellationToken.None)).Action!;
        harness.CleanupOptions.RetentionDays = 120;

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var (olderLeft, newerLeft, _) = await CountAsync(cutoff);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Contains("NEWER than the 120-day retention", executed.StateChange, StringComparison.Ordinal);
        Assert.Equal("0", executed.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Equal(Older + 1, olderLeft);
        Assert.Equal(Newer + 1, newerLeft);
    }
}
