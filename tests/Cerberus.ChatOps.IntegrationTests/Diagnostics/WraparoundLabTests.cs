using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.IntegrationTests.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
    public async Task VacuumFreeze_RoleDoesNotOwnTheTable_SkipWarningShownAndVerificationFails()
    {
        // arrange: the action runs as the pg_monitor role, which owns nothing (PostgreSQL skips with a WARNING)
        await ResetAsync();
        await ExecAsync($"CREATE TABLE public.{Table} (id int)");
        await ExecAsync("SELECT pg_current_xact_id()");
        var action = Action(1, fixture.Lab.MonitorConnectionString);
        try
        {
            // act
            var record = (await action.ProposeAsync(ActionHarness.Request(arguments: (VacuumFreezeAction.TablesArgument, $"public.{Table}")), CancellationToken.None)).Action!;
            var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
            var verified = await action.VerifyAsync(record, CancellationToken.None);

            // assert
            output.WriteLine(executed.Summary);
            output.WriteLine(verified.Summary);
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

    private VacuumFreezeAction Action(long warnAge, string? connectionString = null)
    {
        var harness = new ActionHarness(fixture.Lab);
        harness.ActionsOptions.PostgresConnectionString = connectionString ?? fixture.Lab.PostgresConnectionString;
        return new VacuumFreezeAction(harness.Connector(), Options.Create(harness.ActionsOptions),
            Options.Create(new PostgresOptions { WraparoundWarnAge = warnAge }), TimeProvider.System, NullLogger<VacuumFreezeAction>.Instance);
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
