using System.Text.RegularExpressions;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>WAL pressure on the standalone server: a real inactive slot pinning real WAL, dropped; CHECKPOINT.</summary>
[Collection(LabCollection.Name)]
public sealed class WalActionTests(LabFixture fixture)
{
    private async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.Lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.Lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Writes and switches WAL segments, then waits until the archiver has them (.ready segments are never removed).</summary>
    private async Task GenerateWalAsync(int segments)
    {
        for (var i = 0; i < segments; i++)
        {
            await ExecAsync("CREATE TABLE IF NOT EXISTS public.wal_filler (x int); INSERT INTO public.wal_filler SELECT generate_series(1, 1000); SELECT pg_switch_wal();");
        }

        await Eventually.Async(() => ScalarAsync<long>("SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"), ready => ready == 0,
            TimeSpan.FromSeconds(60), "the archiver did not catch up", Eventually.ServerInterval);
    }

    [Fact]
    public async Task DropSlot_InactiveSlotRetainingWal_CardNamesSlotAndBytesThenSlotGoneAndWalShrinks()
    {
        // arrange
        const string slot = "cerberus_dead_backup";
        await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'; SELECT pg_create_physical_replication_slot('{slot}', true);");
        try
        {
            await ExecAsync("CHECKPOINT");
            await GenerateWalAsync(12);
            var action = new ActionHarness(fixture.Lab).DropSlot();

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", slot)), CancellationToken.None);
            var record = proposal.Action!;
            var observed = await action.ObserveAsync(record, CancellationToken.None);
            var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
            var verified = await action.VerifyAsync(record, CancellationToken.None);
            var stillThere = await ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}'");

            // assert
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            Assert.Equal(slot, record.Target);
            Assert.Contains($"SELECT pg_drop_replication_slot('{slot}')", record.Description, StringComparison.Ordinal);
            Assert.True(Regex.IsMatch(record.Description, @"Frees up to 1\d\d(\.\d)? MiB of WAL retained by physical slot " + slot), record.Description);
            Assert.Contains("pg_archivecleanup", record.Description, StringComparison.Ordinal);
            Assert.Contains($"Inactive physical slot {slot} retains", record.BasedOn, StringComparison.Ordinal);
            Assert.Equal(record.ObservedFingerprint, observed);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.Equal(slot, executed.Figures[ActionFigureKeys.SlotName]);
            Assert.True(long.Parse(executed.Figures[ActionFigureKeys.WalFreedBytes], System.Globalization.CultureInfo.InvariantCulture) > 0, executed.Summary);
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.Equal(0, stillThere);
        }
        finally
        {
            await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'; DROP TABLE IF EXISTS public.wal_filler;");
        }
    }

    [Fact]
    public async Task DropSlot_SlotNamedLikeAPatroniMember_RefusedUnlessExplicitlyAllowed()
    {
        // arrange: a slot with the name Patroni gives a current member's slot
        var member = fixture.Lab.PatroniNames[1];
        await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{member}'; SELECT pg_create_physical_replication_slot('{member}');");
        try
        {
            var action = new ActionHarness(fixture.Lab).DropSlot();

            // act
            var refused = await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", member)), CancellationToken.None);
            var allowed = await action.ProposeAsync(ActionHarness.Request(arguments: [("slot", member), ("allow_patroni_slot", "true")]), CancellationToken.None);

            // assert
            Assert.Null(refused.Action);
            Assert.Contains($"Patroni's slot for the current member {member}", refused.NotApplicableReason, StringComparison.Ordinal);
            Assert.NotNull(allowed.Action);
            Assert.Contains("reinit", allowed.Action.RiskWarning, StringComparison.Ordinal);
        }
        finally
        {
            await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{member}'");
        }
    }

    [Fact]
    public async Task DropSlot_UnknownSlot_NotApplicableListingSlots()
    {
        // arrange
        var action = new ActionHarness(fixture.Lab).DropSlot();

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", "no_such_slot")), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.StartsWith("There is no slot 'no_such_slot'", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoint_OnPrimary_RunsAndReportsWalBeforeAfter()
    {
        // arrange
        var action = new ActionHarness(fixture.Lab).Checkpoint();
        var before = await ScalarAsync<long>("SELECT checkpoints_req FROM pg_stat_bgwriter");

        // act
        var record = (await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None)).Action!;
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var verified = await action.VerifyAsync(record, CancellationToken.None);
        var after = await ScalarAsync<long>("SELECT checkpoints_req FROM pg_stat_bgwriter");

        // assert
        Assert.Contains("`CHECKPOINT`", record.Description, StringComparison.Ordinal);
        Assert.Contains("pg_archivecleanup", record.Description, StringComparison.Ordinal);
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Matches(@"WAL behind the insert position [\d.]+ (B|KiB|MiB|GiB) → [\d.]+ (B|KiB|MiB|GiB), pg_wal [\d.]+ (B|KiB|MiB|GiB) → [\d.]+ (B|KiB|MiB|GiB)", executed.Summary);
        Assert.True(executed.Figures.ContainsKey(ActionFigureKeys.WalFreedBytes));
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.True(after > before, "CHECKPOINT did not reach the server");
    }

    [Fact]
    public async Task DropSlot_SlotGoneBetweenApprovalAndDrop_StateChangedAndNothingRuns()
    {
        // arrange
        const string slot = "cerberus_recheck_slot";
        await ExecAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'; SELECT pg_create_physical_replication_slot('{slot}', true);");
        var action = new ActionHarness(fixture.Lab).DropSlot();
        var record = (await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", slot)), CancellationToken.None)).Action!;
        await ExecAsync($"SELECT pg_drop_replication_slot('{slot}')");
        var checkpointsBefore = await ScalarAsync<long>("SELECT checkpoints_req FROM pg_stat_bgwriter");

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var checkpointsAfter = await ScalarAsync<long>("SELECT checkpoints_req FROM pg_stat_bgwriter");

        // assert
        Assert.False(executed.Succeeded);
        Assert.Equal($"primary=True;slot={slot};type=physical;active=False;wal_status=reserved;owner=none → primary=True;slot={slot};absent", executed.StateChange);
        Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Equal(checkpointsBefore, checkpointsAfter);
    }

    [Fact]
    public async Task Checkpoint_ConfiguredHostIsAStandbyAtExecution_StateChangedAndNoCheckpoint()
    {
        // arrange: approved on the primary; by execution time the configured host is a standby (after a failover)
        var lab = fixture.Lab;
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(120)));
        var replicaIndex = lab.PatroniNames.ToList().FindIndex(n => n != leader);
        var harness = new ActionHarness(lab);
        var action = harness.Checkpoint();
        var record = (await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None)).Action!;
        harness.ActionsOptions.PostgresConnectionString = lab.PatroniPostgres[replicaIndex];

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Equal("primary=True → primary=False", executed.StateChange);
        Assert.Equal("state changed since the approval: primary=True → primary=False", executed.Summary);
    }
}
