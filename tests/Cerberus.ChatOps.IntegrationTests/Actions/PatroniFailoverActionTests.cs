using System.Diagnostics;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>The switchover/failover action against the lab's real Patroni 3.0.2 cluster. Roles float: by name, never by index.</summary>
[Collection(LabCollection.Name)]
public sealed class PatroniFailoverActionTests(LabFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Switchover_HealthyLeader_PromotesCandidateOnNextTimelineAndRecordsFigures()
    {
        // arrange
        var lab = fixture.Lab;
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var action = new ActionHarness(lab).Failover(RemediationKind.Switchover);
        var progress = new ListProgress();
        try
        {
            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None);
            var record = proposal.Action!;
            var observed = await action.ObserveAsync(record, CancellationToken.None);
            var clock = Stopwatch.StartNew();
            var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
            var executeSeconds = clock.Elapsed.TotalSeconds;
            var verified = await action.VerifyAsync(record, CancellationToken.None);
            output.WriteLine($"switchover: execute {executeSeconds:0.00} s, execute+verify {clock.Elapsed.TotalSeconds:0.00} s; {executed.Summary} / {verified.Summary}");

            // assert
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            Assert.Equal(candidate, record.Target);
            Assert.Matches($@"POST http://127\.0\.0\.1:\d+/switchover {{""leader"":""{leader}"",""candidate"":""{candidate}""}}", record.Description);
            Assert.DoesNotContain(lab.PatroniPassword, record.Description + record.BasedOn, StringComparison.Ordinal);
            Assert.Null(record.RiskWarning);
            Assert.Equal(record.ObservedFingerprint, observed);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.Equal("switchover", record.Figures[ActionFigureKeys.FailoverMode]);
            Assert.Equal(leader, record.Figures[ActionFigureKeys.OldLeader]);
            Assert.Equal(candidate, record.Figures[ActionFigureKeys.NewLeader]);
            Assert.Equal(timeline.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Figures[ActionFigureKeys.TimelineBefore]);
            Assert.Equal((timeline + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), record.Figures[ActionFigureKeys.TimelineAfter]);
            Assert.Matches(new Regex("^[0-9A-F]+/[0-9A-F]+$"), record.Figures[ActionFigureKeys.SwitchpointLsn]);
            Assert.Equal("0", record.Figures[ActionFigureKeys.EstimatedLossBytes]);
            Assert.Equal("false", record.Figures[ActionFigureKeys.FenceOldPrimary]);
            var (newLeader, newTimeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
            Assert.Equal(candidate, newLeader);
            Assert.Equal(timeline + 1, newTimeline);
        }
        finally
        {
            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    [Fact]
    public async Task Observe_LeaderChangedAfterProposal_FingerprintDiffers()
    {
        // arrange
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var other = fixture.Lab.PatroniNames.Single(n => n != leader);
        var action = new ActionHarness(fixture.Lab).Failover(RemediationKind.Switchover);
        var record = (await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None)).Action!;
        var (status, body) = await fixture.Patroni.SwitchoverAsync(leader!, other);
        Assert.True(status == 200, body);
        await fixture.Patroni.WaitSettledAsync(Settle);

        // act
        var observed = await action.ObserveAsync(record, CancellationToken.None);

        // assert
        Assert.NotEqual(record.ObservedFingerprint, observed);
        Assert.Contains($"leader={other}", observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_UnknownCandidate_NotApplicableWithValidNames()
    {
        // arrange
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var valid = fixture.Lab.PatroniNames.Single(n => n != leader);
        var action = new ActionHarness(fixture.Lab).Failover(RemediationKind.Failover);

        // act
        var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", "postgres-replica")), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("'postgres-replica' is not a member", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains($"Valid candidates: {valid}.", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_CandidateWhoseWalReceiverIsStopped_RiskWarningNamesTheLoss()
    {
        // arrange: freeze the replica's walreceiver (it stays "running" for Patroni) and write ~8 MB on the leader
        var lab = fixture.Lab;
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var leaderPg = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(leader!)];
        var replicaPg = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(candidate)];
        int receiverPid;
        await using (var replica = new NpgsqlConnection(replicaPg))
        {
            await replica.OpenAsync();
            await using var pid = new NpgsqlCommand("SELECT pid FROM pg_stat_wal_receiver", replica);
            receiverPid = (int)(await pid.ExecuteScalarAsync())!;
        }

        var action = new ActionHarness(lab).Failover(RemediationKind.Switchover);
        await ActionHarness.SignalAsync("STOP", receiverPid);
        try
        {
            await using (var primary = new NpgsqlConnection(leaderPg))
            {
                await primary.OpenAsync();
                await using var write = new NpgsqlCommand(
                    "DROP TABLE IF EXISTS cerberus_lag_test; CREATE TABLE cerberus_lag_test AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 30000) g", primary);
                await write.ExecuteNonQueryAsync();
            }

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", candidate)), CancellationToken.None);
            output.WriteLine($"{proposal.Action?.RiskWarning}\n{proposal.Action?.BasedOn}");

            // assert
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            Assert.NotNull(proposal.Action.RiskWarning);
            Assert.Matches($@"^{candidate} is [\d.]+ MB behind \(> maximum_lag_on_failover 1 MB\)", proposal.Action.RiskWarning);
            Assert.Contains("committed WAL", proposal.Action.RiskWarning, StringComparison.Ordinal);
            Assert.EndsWith(":over", proposal.Action.ObservedFingerprint, StringComparison.Ordinal);
        }
        finally
        {
            await ActionHarness.SignalAsync("CONT", receiverPid);
            await using (var primary = new NpgsqlConnection(leaderPg))
            {
                await primary.OpenAsync();
                await using var drop = new NpgsqlCommand("DROP TABLE IF EXISTS cerberus_lag_test", primary);
                await drop.ExecuteNonQueryAsync();
            }

            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    /// <summary>
    /// A leaderless cluster, deterministically: Patroni's pause (maintenance) mode stops automatic failover, and a
    /// paused Patroni leaves its leader key on shutdown; after the node is stopped the key expires (ttl 20 s) and the
    /// cluster stays leaderless until our POST /failover. Then the pause is lifted and the old leader restarted, so
    /// verification sees it rejoin as a replica.
    /// </summary>
    [Fact]
    public async Task Failover_LeaderlessCluster_PromotesCandidateOnNextTimelineAndOldLeaderRejoins()
    {
        // arrange
        var lab = fixture.Lab;
        var harness = new ActionHarness(lab);
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var leaderIndex = lab.PatroniNames.ToList().IndexOf(leader!) + 1;
        var action = harness.Failover(RemediationKind.Failover);
        var progress = new ListProgress();
        var stopped = false;
        var paused = false;
        try
        {
            await harness.SetPauseAsync(true);
            paused = true;
            await harness.WaitPauseSeenAsync(true, lab.PatroniUrls, TimeSpan.FromSeconds(30));
            await lab.RunScriptAsync("stop-node", leaderIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stopped = true;
            var leaderless = Stopwatch.StartNew();
            while (PatroniLab.LeaderOf(await fixture.Patroni.GetClusterAsync()).Leader is not null)
            {
                Assert.True(leaderless.Elapsed < TimeSpan.FromSeconds(90), "the leader key did not expire");
                await Task.Delay(500);
            }

            output.WriteLine($"leaderless after {leaderless.Elapsed.TotalSeconds:0.0} s");

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", candidate)), CancellationToken.None);
            var record = proposal.Action!;
            var clock = Stopwatch.StartNew();
            var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
            var executeSeconds = clock.Elapsed.TotalSeconds;
            await harness.SetPauseAsync(false);
            paused = false;
            await lab.RunScriptAsync("start-node", leaderIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stopped = false;
            var verified = await action.VerifyAsync(record, CancellationToken.None);
            output.WriteLine($"failover: execute {executeSeconds:0.00} s, execute+restart+verify {clock.Elapsed.TotalSeconds:0.00} s; {executed.Summary} / {verified.Summary}\n{record.BasedOn}");

            // assert
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            Assert.Contains($"/failover {{\"candidate\":\"{candidate}\"}}", record.Description, StringComparison.Ordinal);
            Assert.Contains("LOWER bound", record.BasedOn, StringComparison.Ordinal);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.Equal("failover", record.Figures[ActionFigureKeys.FailoverMode]);
            Assert.Equal(leader, record.Figures[ActionFigureKeys.OldLeader]);
            Assert.Contains($"{leader} is back as a replica", verified.Summary, StringComparison.Ordinal);
            Assert.Equal(candidate, record.Figures[ActionFigureKeys.NewLeader]);
            Assert.Equal((timeline + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), record.Figures[ActionFigureKeys.TimelineAfter]);
            Assert.Matches(new Regex("^[0-9A-F]+/[0-9A-F]+$"), record.Figures[ActionFigureKeys.SwitchpointLsn]);
            Assert.True(record.Figures.ContainsKey(ActionFigureKeys.EstimatedLossBytes));
            Assert.Equal("false", record.Figures[ActionFigureKeys.FenceOldPrimary]);
        }
        finally
        {
            if (paused)
            {
                await harness.SetPauseAsync(false);
            }

            if (stopped)
            {
                await lab.RunScriptAsync("start-node", leaderIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    /// <summary>The old leader is stopped right after the promotion, so it cannot rejoin: verification flags it for fencing.</summary>
    [Fact]
    public async Task Verify_OldLeaderDoesNotRejoin_FlagsItForFencing()
    {
        // arrange
        var lab = fixture.Lab;
        var harness = new ActionHarness(lab);
        harness.ActionsOptions.VerifyDeadline = TimeSpan.FromSeconds(10);
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var leaderIndex = (lab.PatroniNames.ToList().IndexOf(leader!) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var action = harness.Failover(RemediationKind.Switchover);
        var record = (await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None)).Action!;
        var stopped = false;
        try
        {
            var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
            Assert.True(executed.Succeeded, executed.Summary);
            await lab.RunScriptAsync("stop-node", leaderIndex);
            stopped = true;

            // act
            var verified = await action.VerifyAsync(record, CancellationToken.None);

            // assert
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.Equal((timeline + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), record.Figures[ActionFigureKeys.TimelineAfter]);
            Assert.Equal("true", record.Figures[ActionFigureKeys.FenceOldPrimary]);
            Assert.Contains($"{leader} has not come back as a replica", verified.Summary, StringComparison.Ordinal);
            Assert.Contains("Patroni 3.0.2", verified.Summary, StringComparison.Ordinal);
        }
        finally
        {
            if (stopped)
            {
                await lab.RunScriptAsync("start-node", leaderIndex);
            }

            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    [Fact]
    public async Task Reconcile_AfterSwitchoverWithoutVerify_ReportsThePromotionWithoutPosting()
    {
        // arrange: a proposal, then the promotion happens (as if the bot crashed right after POSTing)
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = fixture.Lab.PatroniNames.Single(n => n != leader);
        var action = new ActionHarness(fixture.Lab).Failover(RemediationKind.Switchover);
        var record = (await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None)).Action!;
        var (status, body) = await fixture.Patroni.SwitchoverAsync(leader!, candidate);
        Assert.True(status == 200, body);
        await fixture.Patroni.WaitSettledAsync(Settle);

        // act
        var reconciled = await action.ReconcileAsync(record, new ListProgress(), CancellationToken.None);
        var (after, afterTimeline) = PatroniLab.LeaderOf(await fixture.Patroni.GetClusterAsync());

        // assert
        Assert.True(reconciled.Succeeded, reconciled.Summary);
        Assert.Contains("The promotion happened", reconciled.Summary, StringComparison.Ordinal);
        Assert.Equal(candidate, after);
        Assert.Equal(timeline + 1, afterTimeline);
    }
}
