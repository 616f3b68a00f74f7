using Cerberus.ChatOps.Tests.Support;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Actions.Patroni;
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

    /// <summary>
    /// Drops the lag table on whichever member leads now and waits until the replica streams and has replayed
    /// everything, reconnecting while Patroni restarts members: the next test starts from a caught-up pair.
    /// </summary>
    private Task CleanUpAndCatchUpAsync() =>
        Eventually.TryAsync(
            async () =>
            {
                var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
                await using var primary = new NpgsqlConnection(fixture.Lab.PatroniPostgres[fixture.Lab.PatroniNames.ToList().IndexOf(leader!)]);
                await primary.OpenAsync();
                await using var drop = new NpgsqlCommand("DROP TABLE IF EXISTS cerberus_lag_test", primary);
                await drop.ExecuteNonQueryAsync();
                await using var caughtUp = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn = pg_current_wal_lsn()", primary);
                return (long)(await caughtUp.ExecuteScalarAsync())! > 0;
            },
            Settle,
            Eventually.ServerInterval,
            Reconnect);

    /// <summary>A member restarted under a pooled connection (57P01, end of stream): drop the pools and ask again.</summary>
    private static bool Reconnect(Exception exception)
    {
        if (exception is not NpgsqlException)
        {
            return false;
        }

        NpgsqlConnection.ClearAllPools();
        return true;
    }

    /// <summary>About 8 MB of WAL on the leader (a 30 000-row table), dropped again by <see cref="CleanUpAndCatchUpAsync"/>.</summary>
    private static async Task WriteLagTableAsync(string leaderPg)
    {
        await using var primary = new NpgsqlConnection(leaderPg);
        await primary.OpenAsync();
        await using var write = new NpgsqlCommand(
            "DROP TABLE IF EXISTS cerberus_lag_test; CREATE TABLE cerberus_lag_test AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 30000) g", primary);
        await write.ExecuteNonQueryAsync();
    }

    /// <summary>The member's lag in /cluster (bytes behind the leader's DCS optime), or null when not numeric.</summary>
    private static long? CandidateLag(System.Text.Json.JsonElement cluster, string name) =>
        cluster.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("name").GetString() == name && m.TryGetProperty("lag", out var lag) && lag.ValueKind == System.Text.Json.JsonValueKind.Number)
            .Select(m => (long?)m.GetProperty("lag").GetInt64())
            .FirstOrDefault();

    /// <summary>
    /// The replica's walreceiver. Right after a rejoin Patroni reports the member running before the walreceiver
    /// streams, and may still restart it (57P01), so this waits and reconnects.
    /// </summary>
    private static async Task<int> WalReceiverPidAsync(string replicaPg) =>
        (await Eventually.Async(
            async () =>
            {
                await using var replica = new NpgsqlConnection(replicaPg);
                await replica.OpenAsync();
                await using var pid = new NpgsqlCommand("SELECT pid FROM pg_stat_wal_receiver WHERE status = 'streaming'", replica);
                return await pid.ExecuteScalarAsync() as int?;
            },
            pid => pid is not null,
            Settle,
            "the replica's walreceiver did not start streaming",
            Eventually.ServerInterval,
            retryOn: Reconnect))!.Value;

    [Fact]
    public async Task Switchover_HealthyLeader_PromotesCandidateOnNextTimelineAndRecordsFigures()
    {
        // arrange
        var lab = fixture.Lab;
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var harness = new ActionHarness(lab);
        var action = harness.Failover(RemediationKind.Switchover);
        var progress = new ListProgress();
        var leaderPostgres = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(leader!)];
        var candidatePostgres = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(candidate)];
        await LabSql.ExecAsync(leaderPostgres, $"DROP TABLE IF EXISTS {AnalyzedTable}; CREATE TABLE {AnalyzedTable} AS SELECT g AS id FROM generate_series(1, 20000) g; ANALYZE {AnalyzedTable}");
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

            // and then: ANALYZE on the new primary, whose table counters start from zero (the catalog's size came over)
            harness.ActionsOptions.PostgresConnectionString = candidatePostgres;
            var liveBefore = await LabSql.ScalarAsync<long>(candidatePostgres, $"SELECT coalesce((SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = '{AnalyzedTable}'::regclass), 0)");
            var analyze = harness.Analyze();
            var analyzeRecord = (await analyze.ProposeAsync(ActionHarness.Request(), CancellationToken.None)).Action!;
            var analyzed = await analyze.ExecuteAsync(analyzeRecord, new ListProgress(), CancellationToken.None);
            var analyzeVerified = await analyze.VerifyAsync(analyzeRecord, CancellationToken.None);
            var liveAfter = await LabSql.ScalarAsync<long>(candidatePostgres, $"SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = '{AnalyzedTable}'::regclass");
            output.WriteLine($"analyze: {analyzed.Summary} / {analyzeVerified.Summary}");
            Assert.Equal(0, liveBefore);
            Assert.Equal("primary=True", analyzeRecord.ObservedFingerprint);
            Assert.Contains($"`ANALYZE (SKIP_LOCKED) {AnalyzedTable}`", analyzeRecord.Description, StringComparison.Ordinal);
            Assert.Contains($"{AnalyzedTable} (", analyzeRecord.BasedOn, StringComparison.Ordinal);
            Assert.Contains("≈ 20000 rows by pg_class.reltuples", analyzeRecord.BasedOn, StringComparison.Ordinal);
            Assert.True(analyzed.Succeeded, analyzed.Summary);
            Assert.Contains(AnalyzedTable, analyzed.Figures[ActionFigureKeys.TablesAnalyzed], StringComparison.Ordinal);
            Assert.True(analyzeVerified.Succeeded, analyzeVerified.Summary);
            Assert.Contains($"{AnalyzedTable} analyze_count 0 → 1, n_live_tup 20000", analyzeVerified.Summary, StringComparison.Ordinal);
            Assert.Equal(20000, liveAfter);
        }
        finally
        {
            var (leaderNow, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
            await LabSql.ExecAsync(lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(leaderNow!)], $"DROP TABLE IF EXISTS {AnalyzedTable}");
        }
    }

    private const string AnalyzedTable = "public.cerberus_analyze_probe";

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
        NpgsqlConnection.ClearAllPools(); // pooled sessions to a member that was restarted since answer EOF
        var receiverPid = await WalReceiverPidAsync(replicaPg);

        var action = new ActionHarness(lab).Failover(RemediationKind.Switchover);
        await ActionHarness.SignalAsync("STOP", receiverPid);
        try
        {
            await WriteLagTableAsync(leaderPg);

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", candidate)), CancellationToken.None);
            output.WriteLine($"{proposal.Action?.RiskWarning}\n{proposal.Action?.BasedOn}");

            // assert
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            Assert.NotNull(proposal.Action.RiskWarning);
            Assert.Matches($@"^{candidate} is [\d.]+ MiB behind \(> maximum_lag_on_failover 1 MiB(, > the 15-min RPO)?\)", proposal.Action.RiskWarning);
            Assert.Contains("committed WAL", proposal.Action.RiskWarning, StringComparison.Ordinal);
            Assert.Contains(":running:over;", proposal.Action.ObservedFingerprint, StringComparison.Ordinal);
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
    /// Approved as a graceful switchover; the leader is stopped before the POST (pause keeps Patroni from failing
    /// over by itself). The action must not turn it into POST /failover: it stops with the state change, sends nothing.
    /// </summary>
    [Fact]
    public async Task Switchover_LeaderStoppedAfterTheApproval_StateChangedAndNothingPosted()
    {
        // arrange
        var lab = fixture.Lab;
        var harness = new ActionHarness(lab);
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var leaderIndex = lab.PatroniNames.ToList().IndexOf(leader!) + 1;
        var action = harness.Failover(RemediationKind.Switchover);
        var progress = new ListProgress();
        var stopped = false;
        var paused = false;
        try
        {
            var record = (await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", candidate)), CancellationToken.None)).Action!;
            await harness.SetPauseAsync(true);
            paused = true;
            await harness.WaitPauseSeenAsync(true, lab.PatroniUrls, TimeSpan.FromSeconds(30));
            await lab.RunScriptAsync("stop-node", leaderIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stopped = true;

            // act
            var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
            var (leaderAfter, timelineAfter) = PatroniLab.LeaderOf(await fixture.Patroni.GetClusterAsync());
            output.WriteLine($"{executed.Summary}\n{string.Join('\n', progress.Lines)}");

            // assert
            Assert.False(executed.Succeeded);
            Assert.NotNull(executed.StateChange);
            Assert.StartsWith($"switchover; leader={leader};healthy=True;tl={timeline}", executed.StateChange, StringComparison.Ordinal);
            Assert.Contains($"→ failover; leader={leader};healthy=False", executed.StateChange, StringComparison.Ordinal);
            Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
            Assert.DoesNotContain(progress.Lines, l => l.StartsWith("POST ", StringComparison.Ordinal));
            Assert.NotEqual(candidate, leaderAfter);
            Assert.Equal(timeline, timelineAfter);
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

    /// <summary>
    /// Patroni 3.0.2 accepts the switchover request (the API checks only that the candidate is reachable), then the
    /// leader finds it over maximum_lag_on_failover, removes the failover key, and the API answers 503 "Switchover
    /// failed". That answer is certain: the action ends at once, without polling /cluster for the verify deadline.
    /// </summary>
    [Fact]
    public async Task Switchover_CandidateOverMaximumLag_Patroni503FailedEndsAtOnce()
    {
        // arrange: freeze the candidate's walreceiver and write ~8 MB on the leader
        var lab = fixture.Lab;
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var leaderPg = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(leader!)];
        var replicaPg = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(candidate)];
        NpgsqlConnection.ClearAllPools(); // pooled sessions to a member that was restarted since answer EOF
        var receiverPid = await WalReceiverPidAsync(replicaPg);

        var action = new ActionHarness(lab).Failover(RemediationKind.Switchover);
        var progress = new ListProgress();
        await ActionHarness.SignalAsync("STOP", receiverPid);
        try
        {
            await WriteLagTableAsync(leaderPg);

            // Patroni's leader judges the lag against the DCS optime (written every loop_wait), not the live LSN:
            // wait until /cluster shows the candidate over maximum_lag_on_failover, or it would start the demote.
            await Eventually.Async(async () => CandidateLag(await fixture.Patroni.GetClusterAsync(), candidate), lag => lag is > 1_048_576,
                TimeSpan.FromSeconds(60), "/cluster never showed the candidate's lag", Eventually.ServerInterval);

            var record = (await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", candidate)), CancellationToken.None)).Action!;

            // act
            var clock = Stopwatch.StartNew();
            var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
            var seconds = clock.Elapsed.TotalSeconds;
            var (leaderAfter, timelineAfter) = PatroniLab.LeaderOf(await fixture.Patroni.GetClusterAsync());
            output.WriteLine($"{seconds:0.0} s: {executed.Summary}\n{string.Join('\n', progress.Lines)}");

            // assert
            Assert.NotNull(record.RiskWarning);
            Assert.False(executed.Succeeded);
            Assert.Null(executed.StateChange);
            Assert.Contains("503 \"Switchover failed\"", executed.Summary, StringComparison.Ordinal);
            Assert.Contains("did not happen", executed.Summary, StringComparison.Ordinal);
            Assert.DoesNotContain(progress.Lines, l => l.Contains("outcome is unknown", StringComparison.Ordinal));
            Assert.True(seconds < 30, $"took {seconds:0.0} s: it polled instead of ending at once");
            Assert.Equal("1", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
            Assert.Equal(leader, leaderAfter);
            Assert.Equal(timeline, timelineAfter);
        }
        finally
        {
            await ActionHarness.SignalAsync("CONT", receiverPid);
            await CleanUpAndCatchUpAsync();
            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    /// <summary>
    /// The DCS optime through Patroni's own /replica?lag=N check (api.py do_GET, 3.0.2): with the candidate's
    /// walreceiver frozen and ~8 MB written on the leader, the search finds a lower bound of the leader's last
    /// optime: above the candidate's replayed position by about the lag /cluster shows, and never past the leader's
    /// live LSN.
    /// </summary>
    [Fact]
    public async Task DcsOptime_CandidateFrozenBehind_LowerBoundBetweenTheGapAndTheLeadersLiveLsn()
    {
        // arrange
        var lab = fixture.Lab;
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var candidate = lab.PatroniNames.Single(n => n != leader);
        var candidateIndex = lab.PatroniNames.ToList().IndexOf(candidate);
        var leaderPg = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(leader!)];
        NpgsqlConnection.ClearAllPools();
        var receiverPid = await WalReceiverPidAsync(lab.PatroniPostgres[candidateIndex]);
        var patroni = new ActionHarness(lab).Patroni();
        var api = new Uri(lab.PatroniUrls[candidateIndex], "/");
        await ActionHarness.SignalAsync("STOP", receiverPid);
        try
        {
            await WriteLagTableAsync(leaderPg);

            // The health check compares against the candidate's OWN cached view of the DCS (refreshed every
            // loop_wait; /cluster reads the DCS afresh): wait until that view is more than 1 MiB ahead of it.
            var (lagSeen, _) = await Eventually.Async(
                async () =>
                {
                    var lag = CandidateLag(await fixture.Patroni.GetClusterAsync(), candidate);
                    return (Lag: lag, ReplicaCheck: lag is > 1_048_576 ? (await patroni.GetReplicaCheckAsync(api, 1_048_576, CancellationToken.None)).StatusCode : null);
                },
                seen => seen.ReplicaCheck == 503,
                TimeSpan.FromSeconds(60),
                "the candidate's view of the DCS never showed its lag",
                Eventually.ServerInterval);

            var replayed = (await patroni.GetStatusAsync(api, CancellationToken.None)).Value!.Xlog!.ReplayedLocation!.Value;

            // act
            var clock = Stopwatch.StartNew();
            var dcs = await DcsOptimeReader.MeasureAsync(patroni, [(candidate, api, replayed)], TimeSpan.FromSeconds(10), CancellationToken.None);
            var searchMs = clock.Elapsed.TotalMilliseconds;
            long leaderLive;
            await using (var primary = new NpgsqlConnection(leaderPg))
            {
                await primary.OpenAsync();
                await using var lsn = new NpgsqlCommand("SELECT (pg_current_wal_lsn() - '0/0')::bigint", primary);
                leaderLive = Convert.ToInt64(await lsn.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }

            output.WriteLine($"search {searchMs:0} ms: DCS optime ≥ {dcs.AtLeast - replayed} B past replayed; /cluster lag {lagSeen} B; leader live {leaderLive - replayed} B past replayed");

            // assert
            Assert.Contains(candidate, dcs.Measured);
            Assert.DoesNotContain(candidate, dcs.CaughtUp);
            Assert.NotNull(dcs.AtLeast);
            Assert.True(dcs.AtLeast > replayed + 1_048_576, $"lower bound {dcs.AtLeast - replayed} B past replayed");
            // Near the true gap. Not /cluster's lag: that subtracts the member's last report in the DCS (up to
            // loop_wait old), which overstates the gap by whatever the replica replayed after it (23 MB vs 8 MB seen).
            Assert.True(dcs.AtLeast >= replayed + ((leaderLive - replayed) / 2), $"lower bound {dcs.AtLeast - replayed} B, leader live {leaderLive - replayed} B, /cluster lag {lagSeen} B");
            Assert.True(dcs.AtLeast <= leaderLive, $"lower bound {dcs.AtLeast - replayed} B past replayed is past the leader's live LSN ({leaderLive - replayed} B)");
            Assert.Equal(dcs.AtLeast - replayed, dcs.LossAtLeast(candidate, replayed));
        }
        finally
        {
            await ActionHarness.SignalAsync("CONT", receiverPid);
            await CleanUpAndCatchUpAsync();
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
            await Eventually.Async<string?>(async () => PatroniLab.LeaderOf(await fixture.Patroni.GetClusterAsync()).Leader, leader => leader is null,
                TimeSpan.FromSeconds(90), "the leader key did not expire", TimeSpan.FromMilliseconds(500));

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

            // The paused leader shut down cleanly and streamed its WAL first: the candidate's /replica?lag=0 answers
            // 200, so "nothing missing that the DCS recorded" is measured (a lower bound of 0, not "none").
            Assert.Equal("true", record.Figures[ActionFigureKeys.LossLowerMeasured]);
            Assert.Equal("0", record.Figures[ActionFigureKeys.EstimatedLossBytes]);
            Assert.Equal("false", record.Figures[ActionFigureKeys.FenceOldPrimary]);
            Assert.Equal("replica", verified.Figures[ActionFigureKeys.OldLeaderState]);
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
