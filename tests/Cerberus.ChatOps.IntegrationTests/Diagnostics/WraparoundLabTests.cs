using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.IntegrationTests.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>
/// Transaction-ID wraparound on the standalone server, with a small threshold (WraparoundWarnAge) instead of
/// 2^31 XIDs: a prepared transaction holds the xmin horizon while a DO loop commits a few thousand XIDs; the probe
/// names it, the classifier says to resolve it first, and after the ROLLBACK PREPARED the real VACUUM (FREEZE) drops
/// age(relfrozenxid).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class WraparoundLabTests(LabFixture fixture, ITestOutputHelper output)
{
    private const string Table = "cerberus_xid_t";
    private const string Gid = "cerberus_xid_test";

    [Fact]
    public async Task Wraparound_PreparedTransactionHoldsTheHorizon_ProbeNamesItThenVacuumFreezeDropsTheAge()
    {
        // arrange: a table, a prepared transaction holding the horizon, then 3000 committed XIDs
        await ResetAsync();
        await ExecAsync($"CREATE TABLE public.{Table} (id int); INSERT INTO public.{Table} SELECT generate_series(1, 10)");
        await using (var prepared = await OpenAsync())
        {
            await ExecAsync(prepared, $"BEGIN; INSERT INTO public.{Table} VALUES (0); PREPARE TRANSACTION '{Gid}'");
        }

        try
        {
            await ExecAsync("DO $$ BEGIN FOR i IN 1..3000 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$");
            await using var provider = DiagnosticsHost.Build(fixture.Lab.MonitorConnectionString, null,
                new Dictionary<string, string?> { ["Cerberus:Postgres:WraparoundWarnAge"] = "1000" });
            var action = Action(1000);

            // act
            var report = await provider.Runner().RunAsync([ProbeNames.Wraparound], CancellationToken.None);
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None);
            await ExecAsync($"ROLLBACK PREPARED '{Gid}'");
            var record = proposal.Action!;
            var observed = await action.ObserveAsync(record, CancellationToken.None);
            var ageBefore = await AgeAsync();
            var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
            var verified = await action.VerifyAsync(record, CancellationToken.None);
            var ageAfter = await AgeAsync();

            // assert
            output.WriteLine(report.Sentence);
            output.WriteLine(record.Description);
            output.WriteLine(record.BasedOn);
            output.WriteLine(executed.Summary);
            output.WriteLine(verified.Summary);
            var probe = report.Find(ProbeNames.Wraparound)!;
            Assert.True(probe.Status == ProbeStatus.Warn, probe.Summary);
            Assert.Equal("over_threshold", probe.Facts[WraparoundFactKeys.Stage]);
            Assert.Equal("prepared", probe.Facts[WraparoundFactKeys.HolderKind]);
            Assert.Equal(Gid, probe.Facts[WraparoundFactKeys.HolderName]);
            Assert.Equal(Classification.TransactionIdWraparound, report.Classification);
            Assert.Contains($"ROLLBACK PREPARED '{Gid}' by hand", report.Sentence, StringComparison.Ordinal);
            Assert.Contains(RemediationKind.VacuumFreeze, report.Recommended);
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            Assert.Contains($"VACUUM (FREEZE, VERBOSE, TRUNCATE false) \"public\".\"{Table}\"", record.Description, StringComparison.Ordinal);
            Assert.Contains($"prepared transaction '{Gid}'", record.BasedOn, StringComparison.Ordinal);
            Assert.Equal(record.ObservedFingerprint, observed);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.Contains("new relfrozenxid", executed.Summary, StringComparison.Ordinal);
            Assert.Equal("1", executed.Figures[VacuumFreezeAction.TablesVacuumedFigure]);
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.True(ageBefore >= 3000, $"age before {ageBefore}");
            Assert.True(ageAfter < 100, $"age after {ageAfter}");
        }
        finally
        {
            await ResetAsync();
        }
    }

    [Fact]
    public async Task VacuumFreeze_TableRecreatedAfterTheApproval_StateChangedAndNothingVacuumed()
    {
        // arrange: approved for one table; by execution the name points at another (new oid)
        await ResetAsync();
        await ExecAsync($"CREATE TABLE public.{Table} (id int)");
        await ExecAsync("SELECT pg_current_xact_id()");
        var action = Action(1);
        var record = (await action.ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None)).Action!;
        await ExecAsync($"DROP TABLE public.{Table}; CREATE TABLE public.{Table} (id int)");
        try
        {
            // act
            var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

            // assert
            Assert.False(executed.Succeeded);
            Assert.NotNull(executed.StateChange);
            Assert.Contains($"public.{Table}(gone)", executed.StateChange, StringComparison.Ordinal);
            Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        }
        finally
        {
            await ResetAsync();
        }
    }

    [Fact]
    public async Task VacuumFreeze_RoleDoesNotOwnTheTable_NotOfferedAndAnOwnershipLostAfterTheApprovalIsReported()
    {
        // arrange: the pg_monitor role owns nothing; an approval given to the owner, then run as a role that is not
        await ResetAsync();
        await ExecAsync($"CREATE TABLE public.{Table} (id int)");
        await ExecAsync("SELECT pg_current_xact_id()");
        var monitor = Action(1, fixture.Lab.MonitorConnectionString);
        try
        {
            // act
            var refused = await monitor.ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None);
            var record = (await Action(1).ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None)).Action!;
            var executed = await monitor.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
            var verified = await monitor.VerifyAsync(record, CancellationToken.None);

            // assert
            output.WriteLine(refused.NotApplicableReason);
            output.WriteLine(executed.Summary);
            output.WriteLine(verified.Summary);
            Assert.Null(refused.Action);
            Assert.Contains($"the operator role does not own public.{Table}", refused.NotApplicableReason, StringComparison.Ordinal);
            Assert.False(executed.Succeeded, executed.Summary);
            Assert.Contains($"Failed public.{Table}: skipping \"{Table}\" --- only table or database owner can vacuum it", executed.Summary, StringComparison.Ordinal);
            Assert.Equal("0", executed.Figures[VacuumFreezeAction.TablesVacuumedFigure]);
            Assert.False(verified.Succeeded, verified.Summary);
            Assert.Contains($"not dropped: public.{Table}", verified.Summary, StringComparison.Ordinal);
        }
        finally
        {
            await ResetAsync();
        }
    }

    [Fact]
    public async Task VacuumFreeze_HorizonHeldFurtherBackThanTheTable_NotOfferedAndTheHolderNamed()
    {
        // arrange: the prepared transaction's XID is older than the table's relfrozenxid, so no VACUUM can gain anything
        await ResetAsync();
        await using (var prepared = await OpenAsync())
        {
            await ExecAsync(prepared, $"BEGIN; SELECT pg_current_xact_id(); PREPARE TRANSACTION '{Gid}'");
        }

        try
        {
            await ExecAsync($"CREATE TABLE public.{Table} (id int)");
            await ExecAsync("DO $$ BEGIN FOR i IN 1..50 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$");

            // act
            var proposal = await Action(10).ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None);

            // assert
            Assert.Null(proposal.Action);
            Assert.Contains($"the xmin horizon is held by prepared transaction '{Gid}'", proposal.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("it would gain nothing", proposal.NotApplicableReason, StringComparison.Ordinal);
        }
        finally
        {
            await ResetAsync();
        }
    }

    [Fact]
    public async Task VacuumFreeze_FreeSpaceUnknownAndPgWalOverTheCeiling_RefusedBeforeItWritesWal()
    {
        // arrange: free space is unknown here (Kubernetes off), so the fixed pg_wal ceiling bounds the run; 1 byte is exceeded
        await ResetAsync();
        await ExecAsync($"CREATE TABLE public.{Table} (id int)");
        await ExecAsync("SELECT pg_current_xact_id()");
        try
        {
            // act
            var refused = await Action(1, maxWalBytes: 1).ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None);
            var offered = (await Action(1).ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None)).Action!;
            var stopped = await Action(1, maxWalBytes: 1).ExecuteAsync(offered, new ListProgress(), CancellationToken.None);

            // assert
            Assert.Null(refused.Action);
            Assert.Contains("it must not fill the disk: free space unknown (", refused.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("(> 1 B, the fallback bound)", refused.NotApplicableReason, StringComparison.Ordinal);
            Assert.StartsWith("Free space on the data volume is unknown (", offered.RiskWarning, StringComparison.Ordinal);
            Assert.Contains("Free space unknown (", offered.Description, StringComparison.Ordinal);
            Assert.False(stopped.Succeeded, stopped.Summary);
            Assert.Contains($"Failed public.{Table} not run, and the run stopped: free space unknown (", stopped.Summary, StringComparison.Ordinal);
            Assert.Equal("0", stopped.Figures[VacuumFreezeAction.TablesVacuumedFigure]);
        }
        finally
        {
            await ResetAsync();
        }
    }

    [Fact]
    public async Task VacuumFreeze_ApprovalWithAnUnreadableTableList_FailsAndRunsNothing()
    {
        // arrange
        var offered = new ActionRecord
        {
            Id = "A-1", Kind = RemediationKind.VacuumFreeze, Target = "t", Description = "d", BasedOn = "b", ObservedFingerprint = "f",
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["tables"] = "garbage;also:bad", ["threshold"] = "1" },
            ProposedBy = "U1", ProposedAt = DateTimeOffset.UnixEpoch, ExpiresAt = DateTimeOffset.UnixEpoch,
        };

        // act
        var executed = await Action(1).ExecuteAsync(offered, new ListProgress(), CancellationToken.None);
        var verified = await Action(1).VerifyAsync(offered, CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded, executed.Summary);
        Assert.StartsWith("Nothing ran: the approval's table list or thresholds cannot be read (garbage;also:bad)", executed.Summary, StringComparison.Ordinal);
        Assert.False(verified.Succeeded, verified.Summary);
    }

    [Fact]
    public async Task VacuumFreeze_ConnectionPointsAtAStandby_NotApplicable()
    {
        // arrange
        var lab = fixture.Lab;
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(120)));
        var replica = lab.PatroniPostgres[lab.PatroniNames.ToList().FindIndex(n => n != leader)];

        // act
        var proposal = await Action(1, replica).ProposeAsync(ActionHarness.Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("is a standby: VACUUM freezes nothing there", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    private VacuumFreezeAction Action(long warnAge, string? connectionString = null, long? maxWalBytes = null)
    {
        var harness = new ActionHarness(fixture.Lab);
        harness.ActionsOptions.PostgresConnectionString = connectionString ?? fixture.Lab.PostgresConnectionString;
        if (maxWalBytes is { } ceiling)
        {
            harness.CleanupOptions.MaxWalBytes = ceiling;
        }

        return harness.VacuumFreeze(new PostgresOptions { WraparoundWarnAge = warnAge });
    }

    private async Task ResetAsync()
    {
        await using (var connection = await OpenAsync())
        await using (var command = new NpgsqlCommand($"SELECT count(*) FROM pg_prepared_xacts WHERE gid = '{Gid}'", connection))
        {
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                await ExecAsync(connection, $"ROLLBACK PREPARED '{Gid}'");
            }
        }

        await ExecAsync($"DROP TABLE IF EXISTS public.{Table}");
    }

    private async Task<long> AgeAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT age(relfrozenxid)::int8 FROM pg_class WHERE oid = 'public.{Table}'::regclass", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await ExecAsync(connection, sql);
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
