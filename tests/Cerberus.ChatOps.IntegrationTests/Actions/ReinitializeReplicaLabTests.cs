using System.Globalization;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>
/// A replica that cannot stream, made for real on the lab: the leader rejects replication for a moment (pg_hba), the
/// replica's slot is dropped and the leader switches WAL segments and checkpoints until the segment the replica needs
/// is gone (wal_keep_size 128 MB is 8 segments; Patroni 3.0.2 re-creates the member slot from the next redo pointer).
/// Patroni then lists the replica running while its WAL receiver gets "requested WAL segment … has already been
/// removed" — what only a rebuild repairs. Proposal (a healthy replica refused first), approval (the engine's observe),
/// execution through the real POST /reinitialize, the member's states, and the verification on the leader.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ReinitializeReplicaLabTests(LabFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(120);

    private const string Filler = "public.cerberus_reinit_filler";

    [Fact]
    public async Task Reinitialize_ReplicaWhoseWalIsGone_ProposedApprovedRebuiltAndStreamingAgain()
    {
        // arrange
        var lab = fixture.Lab;
        var harness = new ActionHarness(lab);
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var names = lab.PatroniNames.ToList();
        var replica = names.Single(n => n != leader);
        var leaderPg = Admin(lab.PatroniPostgres[names.IndexOf(leader!)]);
        var replicaPg = Admin(lab.PatroniPostgres[names.IndexOf(replica)]);
        var action = harness.Reinitialize();
        await Eventually.Async( // settled is not yet streaming right after another test's switchover
            () => LabSql.ScalarAsync<long>(leaderPg, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{replica}' AND state = 'streaming'"),
            n => n > 0, Settle, $"{replica} never streamed from {leader}", Eventually.ServerInterval);

        // a healthy replica is never offered
        var healthy = await action.ProposeAsync(ActionHarness.Request(arguments: (ReinitializeReplicaAction.MemberArgument, replica)), CancellationToken.None);
        output.WriteLine(healthy.NotApplicableReason);
        Assert.Null(healthy.Action);
        Assert.StartsWith($"{replica} does not need a rebuild: running, timeline {timeline}", healthy.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("it is the only healthy replica", healthy.NotApplicableReason, StringComparison.Ordinal);

        var hba = Path.Combine(lab.Directory, "patroni", leader!, "data", "pg_hba.conf");
        var original = await File.ReadAllTextAsync(hba);
        var hbaChanged = false;
        try
        {
            var needed = await LabSql.ScalarAsync<string>(replicaPg, "SELECT pg_last_wal_replay_lsn()::text");
            await File.WriteAllTextAsync(hba, "host replication all 127.0.0.1/32 reject\n" + original);
            hbaChanged = true;
            await LabSql.ExecAsync(leaderPg, "SELECT pg_reload_conf()");
            await LabSql.ExecAsync(leaderPg, $"SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name = '{replica}'");
            await LabSql.ExecAsync(leaderPg, $"CREATE TABLE IF NOT EXISTS {Filler} (x int)");
            var switches = string.Concat(Enumerable.Repeat($"INSERT INTO {Filler} VALUES (1); SELECT pg_switch_wal(); ", 10));
            await Eventually.Async(
                async () =>
                {
                    // Inactive (the walsender is gone) → dropped; then past wal_keep_size and a checkpoint, in one go.
                    await LabSql.ExecAsync(leaderPg, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{replica}' AND NOT active; {switches} CHECKPOINT");
                    return await LabSql.ScalarAsync<bool>(leaderPg,
                        $"SELECT (SELECT min(name) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{{24}}$') > pg_walfile_name('{needed}'::pg_lsn + 1)");
                },
                gone => gone,
                TimeSpan.FromSeconds(30),
                $"the leader kept the WAL segment of {needed}",
                TimeSpan.Zero);
            await File.WriteAllTextAsync(hba, original);
            hbaChanged = false;
            await LabSql.ExecAsync(leaderPg, "SELECT pg_reload_conf()");

            // act 1: the proposal
            var proposed = await action.ProposeAsync(ActionHarness.Request(arguments: (ReinitializeReplicaAction.MemberArgument, replica)), CancellationToken.None);
            output.WriteLine(proposed.NotApplicableReason ?? $"{proposed.Action!.Description}\n{proposed.Action.BasedOn}");
            var card = Assert.IsType<ActionRecord>(proposed.Action);
            var databases = await LabSql.ScalarAsync<long>(leaderPg, "SELECT sum(pg_database_size(oid))::int8 FROM pg_database");

            // act 2: the approval (the engine's observe must give the approved fingerprint back), then the execution
            var observed = await action.ObserveAsync(card, CancellationToken.None);
            var progress = new ListProgress(line => output.WriteLine("progress: " + line));
            var executed = await action.ExecuteAsync(card, progress, CancellationToken.None);
            output.WriteLine(executed.Summary);
            var verified = await action.VerifyAsync(card, CancellationToken.None);
            output.WriteLine(verified.Summary);

            // assert
            Assert.Equal(replica, card.Target);
            Assert.True(ActionRisk.Assess(card).IsRisky);
            Assert.Contains($"{replica} (replica): running, timeline {timeline}", card.BasedOn, StringComparison.Ordinal);
            Assert.Contains($"not streaming: pg_stat_replication on {leader}", card.BasedOn, StringComparison.Ordinal);
            Assert.Contains($"then `POST {lab.PatroniUrls[names.IndexOf(replica)]}reinitialize {{\"force\": false}}` on {replica}.", card.Description, StringComparison.Ordinal);
            Assert.Contains("Bytes to copy: ≈ ", card.Description, StringComparison.Ordinal);
            Assert.Contains($"its slot {replica} is missing on {leader}", card.BasedOn, StringComparison.Ordinal);
            Assert.StartsWith($"Will run: first, on {leader}, `SELECT pg_create_physical_replication_slot('{replica}', true)` while it is still missing", card.Description, StringComparison.Ordinal);
            var bytes = long.Parse(card.Figures[ActionFigureKeys.BytesToCopy], CultureInfo.InvariantCulture);
            Assert.InRange(bytes, databases * 9 / 10, databases * 11 / 10);
            Assert.Equal(card.ObservedFingerprint, observed);
            Assert.Equal($"leader={leader};leader_healthy=True;timeline={timeline};member={replica};role=replica;needs=rebuild", observed);

            Assert.True(executed.Succeeded, executed.Summary);
            Assert.StartsWith($"Patroni answered 200 \"reinitialize started\"; {replica} was rebuilt from {leader} in ", executed.Summary, StringComparison.Ordinal);
            Assert.Contains("creating replica", executed.Figures[ActionFigureKeys.MemberStates], StringComparison.Ordinal);
            Assert.Matches("→ running at [^→]+$", executed.Figures[ActionFigureKeys.MemberStates]);
            Assert.Equal("true", executed.Figures["slot_created"]);
            Assert.Contains(progress.Lines, l => l.StartsWith($"{replica}: ", StringComparison.Ordinal) && l.Contains("creating replica", StringComparison.Ordinal));

            Assert.True(verified.Succeeded, verified.Summary);
            Assert.StartsWith($"{replica} runs as a replica on timeline {timeline} (the leader's), streams in pg_stat_replication on {leader}", verified.Summary, StringComparison.Ordinal);
            Assert.Equal("streaming", await LabSql.ScalarAsync<string>(leaderPg, $"SELECT state FROM pg_stat_replication WHERE application_name = '{replica}'"));
        }
        finally
        {
            if (hbaChanged)
            {
                await File.WriteAllTextAsync(hba, original);
                await LabSql.ExecAsync(leaderPg, "SELECT pg_reload_conf()");
            }

            await LabSql.ExecAsync(leaderPg, $"DROP TABLE IF EXISTS {Filler}");
            await LeaveStreamingAsync(harness, replica, leaderPg);
        }
    }

    /// <summary>The next test needs a streaming replica: if this one failed before the rebuild, rebuild it by hand.</summary>
    private async Task LeaveStreamingAsync(ActionHarness harness, string replica, string leaderPg)
    {
        async Task<bool> StreamingAsync() =>
            await LabSql.ScalarAsync<long>(leaderPg, $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{replica}' AND state = 'streaming'") > 0;

        if (!await Eventually.TryAsync(StreamingAsync, TimeSpan.FromSeconds(5), Eventually.ServerInterval))
        {
            // Patroni 3.0.2 does not re-create a member slot dropped behind its back: its own statement, then the rebuild.
            await LabSql.ExecAsync(leaderPg, $"SELECT pg_create_physical_replication_slot('{replica}', true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '{replica}')");
            var api = fixture.Lab.PatroniUrls[fixture.Lab.PatroniNames.ToList().IndexOf(replica)];
            output.WriteLine($"clean-up: POST /reinitialize on {replica}: {(await harness.Patroni().ReinitializeAsync(api, force: true, CancellationToken.None)).Body}");
            await Eventually.TryAsync(StreamingAsync, Settle, Eventually.ServerInterval);
        }

        await fixture.Patroni.WaitSettledAsync(Settle);
    }

    private static string Admin(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
