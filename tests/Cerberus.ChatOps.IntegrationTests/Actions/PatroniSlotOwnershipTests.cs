using System.Text.Json.Nodes;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>
/// Slots the way the lab's real Patroni 3.0.2 owns them: a permanent slot (dynamic configuration <c>slots:</c>) is
/// removed from the configuration and dropped, and no leader re-creates it after a switchover; an ignore_slots slot
/// carries the risk of its outside consumer; without /cluster no physical slot is proposed.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class PatroniSlotOwnershipTests(LabFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(120);

    private LabEnvironment Lab => fixture.Lab;

    [Fact]
    public async Task DropSlot_PermanentSlotRetainingWal_RemovedFromConfigDroppedAndNotRecreatedAfterSwitchover()
    {
        // arrange: a permanent physical slot the leader creates from the dynamic configuration, retaining WAL
        const string slot = "cerberus_perm_archive";
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var names = Lab.PatroniNames.ToList();
        var other = names.Single(n => n != leader);
        var harness = new ActionHarness(Lab);
        harness.ActionsOptions.PostgresConnectionString = Lab.PatroniPostgres[names.IndexOf(leader!)];
        var patroni = harness.Patroni();
        try
        {
            await PatchAsync(patroni, "{\"slots\":{\"" + slot + "\":{\"type\":\"physical\"}}}");
            await Eventually.Async(() => SlotExistsAsync(leader!, slot), Settle, "the leader did not create the permanent slot", Eventually.ServerInterval);
            await GenerateWalAsync(leader!, 4);
            var action = harness.DropSlot();

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", slot)), CancellationToken.None);
            var record = proposal.Action ?? throw new InvalidOperationException(proposal.NotApplicableReason);
            var observed = await action.ObserveAsync(record, CancellationToken.None);
            var progress = new ListProgress();
            var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
            var verified = await action.VerifyAsync(record, CancellationToken.None);
            output.WriteLine($"{executed.Summary} / {verified.Summary}");
            var configAfter = await PatroniSlotView.ReadConfigAsync(patroni, CancellationToken.None);

            // assert: the card, the two side effects, the verification of the server and the configuration
            Assert.Contains("PATCH /config {\"slots\":{\"" + slot + "\":null}}", record.Description, StringComparison.Ordinal);
            Assert.Contains("permanent slot in Patroni's dynamic configuration (slots: {cerberus_perm_archive: {type: physical}})", record.RiskWarning, StringComparison.Ordinal);
            Assert.EndsWith(";owner=permanent:slots", record.ObservedFingerprint, StringComparison.Ordinal);
            Assert.True(long.Parse(record.Parameters["retained_bytes"], System.Globalization.CultureInfo.InvariantCulture) > 0, "the slot retains no WAL");
            Assert.Equal(record.ObservedFingerprint, observed);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.Equal("slots", executed.Figures["patroni_config_patched"]);
            Assert.Contains(progress.Lines, l => l.StartsWith("PATCH http://", StringComparison.Ordinal));
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.Contains("Patroni's configuration does not list it", verified.Summary, StringComparison.Ordinal);
            Assert.NotNull(configAfter);
            Assert.Null(configAfter.FindPermanent(slot));
            Assert.False(await SlotExistsAsync(leader!, slot));

            // act 2: a real switchover; the new leader runs several HA loops (loop_wait 2 s) with the new configuration
            await fixture.Patroni.WaitSettledAsync(Settle);
            var (status, body) = await fixture.Patroni.SwitchoverAsync(leader!, other);
            Assert.True(status == 200, $"switchover: {status} {body}");
            await Eventually.Async(async () => PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle)).Leader == other, Settle, "the switchover did not complete", Eventually.ServerInterval);
            await Task.Delay(TimeSpan.FromSeconds(8));

            // assert 2: neither the new leader nor the old one (now a replica) has the slot again
            Assert.False(await SlotExistsAsync(other, slot), $"{other} re-created {slot} after the switchover");
            Assert.False(await SlotExistsAsync(leader!, slot), $"{leader} has {slot} again");
        }
        finally
        {
            await RemovePermanentAsync(patroni, slot);
            foreach (var member in names)
            {
                await TryExecAsync(member, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}' AND NOT active");
            }

            // Leave the cluster as it was found: the original leader leads again.
            var (now, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
            if (now != leader)
            {
                await fixture.Patroni.SwitchoverAsync(now!, leader!);
                await Eventually.Async(async () => PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle)).Leader == leader, Settle, "could not switch back", Eventually.ServerInterval);
            }
        }
    }

    /// <summary>
    /// A restart between the two side effects. Before the PATCH: reconcile reports, never sends the PATCH. After it
    /// (the configuration no longer lists the slot; Patroni paused so its leader does not drop the slot itself):
    /// reconcile finishes the approved drop.
    /// </summary>
    [Fact]
    public async Task Reconcile_PermanentSlot_ReportsBeforeThePatchAndFinishesTheDropAfterIt()
    {
        // arrange
        const string slot = "cerberus_perm_restart";
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var names = Lab.PatroniNames.ToList();
        var harness = new ActionHarness(Lab);
        harness.ActionsOptions.PostgresConnectionString = Lab.PatroniPostgres[names.IndexOf(leader!)];
        harness.ActionsOptions.VerifyDeadline = TimeSpan.FromSeconds(10);
        var patroni = harness.Patroni();
        try
        {
            await PatchAsync(patroni, "{\"slots\":{\"" + slot + "\":{\"type\":\"physical\"}}}");
            await Eventually.Async(() => SlotExistsAsync(leader!, slot), Settle, "the leader did not create the permanent slot", Eventually.ServerInterval);
            var action = harness.DropSlot();
            var record = (await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", slot)), CancellationToken.None)).Action
                         ?? throw new InvalidOperationException("no proposal");
            await harness.SetPauseAsync(true);
            await harness.WaitPauseSeenAsync(true, Lab.PatroniUrls, Settle);

            // act 1: restart before the PATCH
            var beforePatch = await action.ReconcileAsync(record, new ListProgress(), CancellationToken.None);
            var listedAfterFirst = (await PatroniSlotView.ReadConfigAsync(patroni, CancellationToken.None))?.FindPermanent(slot) is not null;
            var existsAfterFirst = await SlotExistsAsync(leader!, slot);

            // act 2: the PATCH happened (as the action's first side effect), then the restart
            await PatchAsync(patroni, "{\"slots\":{\"" + slot + "\":null}}");
            var progress = new ListProgress();
            var afterPatch = await action.ReconcileAsync(record, progress, CancellationToken.None);

            // assert
            Assert.False(beforePatch.Succeeded, beforePatch.Summary);
            Assert.StartsWith($"After the restart: slot {slot} still exists; GET /config still lists {slot}", beforePatch.Summary, StringComparison.Ordinal);
            Assert.True(listedAfterFirst, "reconcile changed the configuration");
            Assert.True(existsAfterFirst, "reconcile dropped a slot the configuration still lists");
            Assert.True(afterPatch.Succeeded, afterPatch.Summary);
            Assert.StartsWith($"After the restart: slot {slot} is gone; Patroni's configuration does not list it", afterPatch.Summary, StringComparison.Ordinal);
            Assert.Contains(progress.Lines, l => l.Contains("dropped it", StringComparison.Ordinal));
            Assert.False(await SlotExistsAsync(leader!, slot));
        }
        finally
        {
            await harness.SetPauseAsync(false);
            await RemovePermanentAsync(patroni, slot);
            await TryExecAsync(leader!, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}' AND NOT active");
            await harness.WaitPauseSeenAsync(false, Lab.PatroniUrls, Settle);
        }
    }

    [Fact]
    public async Task DropSlot_SlotMatchingIgnoreSlots_ProposalCarriesRiskNamingIgnoreSlots()
    {
        // arrange: ignore_slots protects a physical slot created outside Patroni (Patroni would drop it otherwise)
        const string slot = "cerberus_cdc_keep";
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var names = Lab.PatroniNames.ToList();
        var harness = new ActionHarness(Lab);
        harness.ActionsOptions.PostgresConnectionString = Lab.PatroniPostgres[names.IndexOf(leader!)];
        var patroni = harness.Patroni();
        try
        {
            await PatchAsync(patroni, $$"""{"ignore_slots":[{"name":"{{slot}}","type":"physical"}]}""");
            await Eventually.Async(async () => (await patroni.GetConfigAsync(Lab.PatroniUrls[names.IndexOf(leader!)], CancellationToken.None)).Value is { } c
                                        && PatroniSlotConfig.From(c).Ignore.Count > 0, Settle, "the leader did not see ignore_slots", Eventually.ServerInterval);
            await Task.Delay(TimeSpan.FromSeconds(4));
            await ExecAsync(leader!, $"SELECT pg_create_physical_replication_slot('{slot}', true)");
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.True(await SlotExistsAsync(leader!, slot), "Patroni dropped the ignored slot");
            var action = harness.DropSlot();

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", slot)), CancellationToken.None);

            // assert
            var record = proposal.Action ?? throw new InvalidOperationException(proposal.NotApplicableReason);
            Assert.Equal(
                $"slot {slot} matches ignore_slots {{name: {slot}, type: physical}}: it belongs to a consumer outside Patroni (backup, CDC, pg_receivewal); dropping it breaks that consumer.",
                record.RiskWarning);
            Assert.EndsWith($";owner=ignore_slots:{{name: {slot}, type: physical}}", record.ObservedFingerprint, StringComparison.Ordinal);
            Assert.DoesNotContain("PATCH /config", record.Description, StringComparison.Ordinal);
            Assert.Contains("ignore_slots: {name: cerberus_cdc_keep, type: physical}", record.BasedOn, StringComparison.Ordinal);
        }
        finally
        {
            await TryExecAsync(leader!, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}' AND NOT active");
            await PatchAsync(patroni, """{"ignore_slots":null}""");
        }
    }

    [Fact]
    public async Task DropSlot_PatroniClusterUnreadable_NoPhysicalSlotProposed()
    {
        // arrange: an inactive physical slot on the standalone server; Patroni configured but not answering
        const string slot = "cerberus_unknown_owner";
        await ExecStandaloneAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'; SELECT pg_create_physical_replication_slot('{slot}', true);");
        try
        {
            var harness = new ActionHarness(Lab);
            var silent = new PatroniClient(
                new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
                Options.Create(new PatroniOptions { Urls = ["http://127.0.0.1:9/"], RequestTimeout = TimeSpan.FromSeconds(1) }),
                TimeProvider.System,
                NullLogger<PatroniClient>.Instance);
            var action = new DropReplicationSlotAction(harness.Connector(), silent, Options.Create(harness.ActionsOptions), TimeProvider.System, NullLogger<DropReplicationSlotAction>.Instance);

            // act
            var named = await action.ProposeAsync(ActionHarness.Request(arguments: ("slot", slot)), CancellationToken.None);
            var picked = await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None);

            // assert
            Assert.Null(named.Action);
            Assert.Contains($"Patroni's /cluster could not be read, so the bot cannot tell whether physical slot {slot} belongs to a member", named.NotApplicableReason, StringComparison.Ordinal);
            Assert.Null(picked.Action);
            Assert.StartsWith("No inactive slot the bot may drop.", picked.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("no physical slot is dropped until /cluster answers", picked.NotApplicableReason, StringComparison.Ordinal);
        }
        finally
        {
            await ExecStandaloneAsync($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
        }
    }

    private static async Task PatchAsync(PatroniClient patroni, string json)
    {
        var result = await patroni.PatchConfigAsync(patroni.Members[0], JsonNode.Parse(json)!.AsObject(), CancellationToken.None);
        Assert.True(result.Succeeded, $"PATCH /config {json}: {result.StatusCode} {result.Error} {result.Body}");
    }

    /// <summary>Removes the test's permanent slot, then the `slots` key itself when nothing else is left in it (the lab has none).</summary>
    private static async Task RemovePermanentAsync(PatroniClient patroni, string slot)
    {
        await PatchAsync(patroni, "{\"slots\":{\"" + slot + "\":null}}");
        var config = (await patroni.GetConfigAsync(patroni.Members[0], CancellationToken.None)).Value;
        if (config is not null && config.Slots.ValueKind == System.Text.Json.JsonValueKind.Object && !config.Slots.EnumerateObject().Any())
        {
            await PatchAsync(patroni, "{\"slots\":null}");
        }
    }

    private string Member(string name) => Lab.PatroniPostgres[Lab.PatroniNames.ToList().IndexOf(name)];

    private async Task ExecAsync(string member, string sql)
    {
        await using var connection = new NpgsqlConnection(Member(member));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task TryExecAsync(string member, string sql)
    {
        try
        {
            await ExecAsync(member, sql);
        }
        catch (NpgsqlException ex)
        {
            output.WriteLine($"clean-up on {member}: {ex.Message}");
        }
    }

    private async Task ExecStandaloneAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Whether the member has the slot; retried while the member restarts (a switchover restarts the old leader).</summary>
    private Task<bool> SlotExistsAsync(string member, string slot) =>
        Eventually.Async(
            async () =>
            {
                await using var connection = new NpgsqlConnection(Member(member));
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE slot_name = @s", connection);
                command.Parameters.AddWithValue("s", slot);
                return (long)(await command.ExecuteScalarAsync())! > 0;
            },
            _ => true,
            Settle,
            $"{member} did not answer whether it has {slot}",
            TimeSpan.FromMilliseconds(500),
            retryOn: ex => ex is NpgsqlException);

    private async Task GenerateWalAsync(string member, int segments)
    {
        for (var i = 0; i < segments; i++)
        {
            await ExecAsync(member, "CREATE TABLE IF NOT EXISTS public.slot_wal_filler (x int); INSERT INTO public.slot_wal_filler SELECT generate_series(1, 1000); SELECT pg_switch_wal();");
        }
    }
}
