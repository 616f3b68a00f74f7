using System.Text.Json;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Actions;

public sealed class FailoverPlannerTests
{
    private const long OneMiB = 1_048_576;
    private static readonly TimeSpan Rpo = TimeSpan.FromMinutes(15);

    private static PatroniCluster Cluster(string json) => JsonSerializer.Deserialize<PatroniCluster>(json)!;

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);

    private static PatroniCluster Healthy(object lag) => Cluster($$"""
        {"members":[
          {"name":"pg1","role":"leader","state":"running","api_url":"http://10.0.0.1:8008/patroni","host":"10.0.0.1","port":5432,"timeline":4},
          {"name":"pg2","role":"replica","state":"running","api_url":"http://10.0.0.2:8008/patroni","host":"10.0.0.2","port":5432,"timeline":4,"lag":{{lag}}}
        ]}
        """);

    [Fact]
    public void Plan_HealthyLeaderCaughtUpReplica_SwitchoverWithZeroLossAndNoWarning()
    {
        // arrange
        var cluster = Healthy(0);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x5000000 };

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: true, leaderLsn: 0x5000100, received, OneMiB, 1000, Rpo);
        var pg2 = plan.Find("pg2")!;

        // assert
        Assert.Equal(FailoverMode.Switchover, plan.Mode);
        Assert.Equal(0x100, pg2.LagBytes);
        Assert.Equal(0, pg2.EstimatedLossBytes);
        Assert.Null(FailoverPlanner.RiskWarning(plan, pg2));
        Assert.Equal("pg2", plan.Best!.Name);
    }

    [Fact]
    public void Plan_DeadLeaderLaggingCandidate_FailoverLossIsLeaderLastLsnMinusReceivedAndNeedsRiskAcceptance()
    {
        // arrange: the lab proof — the DCS optime is 29 026 464 B past what the candidate received (0x3400000)
        var cluster = Healthy(29_026_464);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x3400000 };
        var dcs = new DcsOptime(0x3400000 + 29_026_464L, Set(), Set("pg2"));

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, received, OneMiB, walRateBytesPerSecond: 200_000, Rpo, dcs, ttlSeconds: 30);
        var pg2 = plan.Find("pg2")!;
        var warning = FailoverPlanner.RiskWarning(plan, pg2);

        // assert
        Assert.Equal(FailoverMode.Failover, plan.Mode);
        Assert.Equal(0x3400000 + 29_026_464L, plan.LeaderLastLsn);
        Assert.Equal(29_026_464L, pg2.EstimatedLossBytes);
        Assert.Equal(29_026_464d / 200_000, pg2.EstimatedLossSeconds!.Value, 3);
        Assert.True(pg2.OverMaximumLag);
        Assert.False(pg2.OverRpo);
        Assert.NotNull(warning);
        Assert.Contains("pg2 is 27.7 MiB behind", warning, StringComparison.Ordinal);
        Assert.Contains("> maximum_lag_on_failover 1 MiB", warning, StringComparison.Ordinal);
        Assert.Contains("loses at least 27.7 MiB of committed WAL (~2 min 25 s)", warning, StringComparison.Ordinal);
        Assert.True(pg2.LossMeasured);
        Assert.Equal(29_026_464L + (30 * 200_000), pg2.LossUpperBytes);
        Assert.Contains("at most 33.4 MiB", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_DeadLeaderWithoutDcsOptime_LowerBoundUnknownNotTheLiveLsnPlusTheStaleLag()
    {
        // arrange: /cluster says 2 MiB behind, but that lag was computed from the member's older DCS position
        var cluster = Healthy(2 * OneMiB);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x1000000 };

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, received, OneMiB, walRateBytesPerSecond: 1000, Rpo);
        var pg2 = plan.Find("pg2")!;

        // assert
        Assert.Null(plan.LeaderLastLsn);
        Assert.Null(pg2.EstimatedLossBytes);
        Assert.False(pg2.LossMeasured);
        Assert.Equal(2 * OneMiB, pg2.LagBytes);
        Assert.Equal((2 * OneMiB) + (30 * 1000), pg2.LossUpperBytes);
        Assert.Contains("could not be measured, so the loss is unknown", FailoverPlanner.RiskWarning(plan, pg2), StringComparison.Ordinal);
        Assert.Contains("≥ 0 B, unverified", FailoverPlanner.DescribeCandidates(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_DeadLeaderCandidateHasEverythingTheDcsRecorded_LowerBoundZeroUpperBoundOneTtlOfWrites()
    {
        // arrange
        var cluster = Healthy(5000);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x1000000 };
        var dcs = new DcsOptime(null, Set("pg2"), Set("pg2"));

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, received, OneMiB, walRateBytesPerSecond: 1000, Rpo, dcs, ttlSeconds: 20);
        var pg2 = plan.Find("pg2")!;

        // assert
        Assert.Equal(0, pg2.EstimatedLossBytes);
        Assert.True(pg2.LossMeasured);
        Assert.Equal(20 * 1000, pg2.LossUpperBytes);
        Assert.Null(FailoverPlanner.RiskWarning(plan, pg2));
        Assert.Contains("≥ 0 B (~0 s; measured against the DCS optime), ≤ 19.5 KiB", FailoverPlanner.DescribeCandidates(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ReplicaOnAnOldTimeline_NeedsRiskAcceptanceNamingTheTimelinesAndIsNotTheBest()
    {
        // arrange: pg2 is a former leader whose rewind failed: still on timeline 3, its "lag" reads 0
        var cluster = Cluster("""
            {"members":[
              {"name":"pg1","role":"leader","state":"running","api_url":"http://a:8008/patroni","timeline":4},
              {"name":"pg2","role":"replica","state":"running","api_url":"http://b:8008/patroni","timeline":3,"lag":0},
              {"name":"pg3","role":"replica","state":"running","api_url":"http://c:8008/patroni","timeline":4,"lag":4096}
            ]}
            """);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x9000000, ["pg3"] = 0x4FFF000 };

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: true, leaderLsn: 0x5000000, received, OneMiB, 1000, Rpo);
        var pg2 = plan.Find("pg2")!;
        var warning = FailoverPlanner.RiskWarning(plan, pg2);

        // assert
        Assert.Equal("pg3", plan.Best!.Name);
        Assert.True(pg2.NeedsRiskAcceptance);
        Assert.Null(pg2.LagBytes);
        Assert.Null(pg2.EstimatedLossBytes);
        Assert.Contains("off_timeline", FailoverPlanner.RiskFlags(pg2));
        Assert.Contains("it is on timeline 3, the leader's is 4", warning, StringComparison.Ordinal);
        Assert.Contains("discards everything written on timeline 4", warning, StringComparison.Ordinal);
        Assert.Contains("⚠ another timeline", FailoverPlanner.DescribeCandidates(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LeaderlessClusterMemberBehindTheHighestTimeline_IsRisky()
    {
        // arrange: no leader key; pg3 is on the highest timeline, pg2 on an older one
        var cluster = Cluster("""
            {"members":[
              {"name":"pg2","role":"replica","state":"running","api_url":"http://b:8008/patroni","timeline":5,"lag":0},
              {"name":"pg3","role":"replica","state":"running","api_url":"http://c:8008/patroni","timeline":6,"lag":0}
            ]}
            """);

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, new Dictionary<string, long?>(), OneMiB, null, Rpo);

        // assert
        Assert.Equal(6, plan.Timeline);
        Assert.Contains("the cluster's highest is 6", plan.Find("pg2")!.TimelineRisk, StringComparison.Ordinal);
        Assert.Null(plan.Find("pg3")!.TimelineRisk);
        Assert.Equal("pg3", plan.Best!.Name);
    }

    [Fact]
    public void Plan_SynchronousStandby_PreferredAndShown()
    {
        // arrange: pg2 is async and slightly closer; pg3 is the synchronous standby
        var cluster = Cluster("""
            {"members":[
              {"name":"pg1","role":"leader","state":"running","api_url":"http://a:8008/patroni","timeline":4},
              {"name":"pg2","role":"replica","state":"running","api_url":"http://b:8008/patroni","timeline":4,"lag":0},
              {"name":"pg3","role":"sync_standby","state":"running","api_url":"http://c:8008/patroni","timeline":4,"lag":0}
            ]}
            """);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x5000000, ["pg3"] = 0x4FFFF00 };

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: true, leaderLsn: 0x5000000, received, OneMiB, 1000, Rpo);

        // assert
        Assert.Equal("pg3", plan.Best!.Name);
        Assert.True(plan.Find("pg3")!.Sync);
        Assert.Contains("pg3: running, timeline 4, synchronous standby", FailoverPlanner.DescribeCandidates(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SynchronousModeSwitchover_OnlyTheSyncStandbyIsOffered()
    {
        // arrange: Patroni 3.0.2 refuses a switchover to a non-sync member in synchronous_mode (api.py is_failover_possible)
        var cluster = Cluster("""
            {"members":[
              {"name":"pg1","role":"leader","state":"running","api_url":"http://a:8008/patroni","timeline":4},
              {"name":"pg2","role":"replica","state":"running","api_url":"http://b:8008/patroni","timeline":4,"lag":0},
              {"name":"pg3","role":"sync_standby","state":"running","api_url":"http://c:8008/patroni","timeline":4,"lag":0}
            ]}
            """);

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: true, leaderLsn: 0x5000000, new Dictionary<string, long?>(), OneMiB, 1000, Rpo, synchronousMode: true);

        // assert
        Assert.Equal(["pg3"], plan.Offered.Select(c => c.Name));
        Assert.StartsWith("not the synchronous standby", plan.Find("pg2")!.NotOfferedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_DeadLeaderUnknownWalRate_LossTimeUnknownAndSaidSo()
    {
        // arrange
        var cluster = Healthy(2 * OneMiB);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x1000000 };

        var dcs = new DcsOptime(0x1000000 + (2 * OneMiB), Set(), Set("pg2"));

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, received, OneMiB, walRateBytesPerSecond: null, Rpo, dcs);
        var pg2 = plan.Find("pg2")!;

        // assert
        Assert.Null(pg2.EstimatedLossSeconds);
        Assert.Null(pg2.LossUpperBytes);
        Assert.Contains("time unknown", FailoverPlanner.RiskWarning(plan, pg2), StringComparison.Ordinal);
        Assert.Contains("≥ 2 MiB (time unknown; measured against the DCS optime), upper bound unknown (no WAL rate)", FailoverPlanner.DescribeCandidates(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LossAboveRpoWithinMaximumLag_OverRpoWarns()
    {
        // arrange: a huge maximum_lag_on_failover, and a slow writer: 500 kB at 100 B/s is ~83 min
        var cluster = Healthy(500_000);
        var received = new Dictionary<string, long?> { ["pg2"] = 0x1000000 };

        var dcs = new DcsOptime(0x1000000 + 500_000L, Set(), Set("pg2"));

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, received, 100 * OneMiB, walRateBytesPerSecond: 100, Rpo, dcs);
        var pg2 = plan.Find("pg2")!;

        // assert
        Assert.False(pg2.OverMaximumLag);
        Assert.True(pg2.OverRpo);
        Assert.Contains("> the 15-min RPO", FailoverPlanner.RiskWarning(plan, pg2), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NoFailoverTagAndStoppedMember_NotOfferedWithReasons()
    {
        // arrange
        var cluster = Cluster("""
            {"members":[
              {"name":"pg1","role":"leader","state":"running","api_url":"http://a:8008/patroni","timeline":2},
              {"name":"pg2","role":"replica","state":"running","api_url":"http://b:8008/patroni","timeline":2,"lag":0,"tags":{"nofailover":true}},
              {"name":"pg3","role":"replica","state":"stopped","api_url":"http://c:8008/patroni","lag":"unknown"},
              {"name":"pg4","role":"replica","state":"running","api_url":"http://d:8008/patroni","timeline":2,"lag":0}
            ]}
            """);

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: true, leaderLsn: null, new Dictionary<string, long?>(), OneMiB, null, Rpo);

        // assert
        Assert.Equal("tagged nofailover", plan.Find("pg2")!.NotOfferedReason);
        Assert.Equal("not running (state stopped)", plan.Find("pg3")!.NotOfferedReason);
        Assert.Equal(["pg4"], plan.Offered.Select(c => c.Name));
        Assert.Equal("pg4", plan.Best!.Name);
        Assert.Null(plan.Find("pg1"));
    }

    [Fact]
    public void Plan_UnknownLag_NeedsRiskAcceptance()
    {
        // arrange
        var cluster = Healthy("\"unknown\"");

        // act
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy: false, leaderLsn: null, new Dictionary<string, long?>(), OneMiB, null, Rpo);
        var pg2 = plan.Find("pg2")!;

        // assert
        Assert.Null(pg2.LagBytes);
        Assert.True(pg2.NeedsRiskAcceptance);
        Assert.Contains("lag is unknown", FailoverPlanner.RiskWarning(plan, pg2), StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_LeaderChanges_Differs()
    {
        // arrange
        var before = FailoverPlanner.Plan(Healthy(0), true, 100, new Dictionary<string, long?> { ["pg2"] = 100 }, OneMiB, null, Rpo);
        var afterCluster = Cluster("""
            {"members":[
              {"name":"pg1","role":"replica","state":"running","timeline":5,"lag":0},
              {"name":"pg2","role":"leader","state":"running","timeline":5}
            ]}
            """);
        var after = FailoverPlanner.Plan(afterCluster, true, 200, new Dictionary<string, long?>(), OneMiB, null, Rpo);

        // act
        var first = FailoverPlanner.Fingerprint(before, "pg2");
        var second = FailoverPlanner.Fingerprint(after, "pg2");

        // assert
        Assert.Equal("leader=pg1;healthy=True;tl=4;candidate=pg2:running:within;candidate_tl=4;sync=False", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Fingerprint_SmallLagMovement_Stable()
    {
        // arrange: the exact lag moves every second; only its bucket counts
        var a = FailoverPlanner.Plan(Healthy(100), true, null, new Dictionary<string, long?>(), OneMiB, null, Rpo);
        var b = FailoverPlanner.Plan(Healthy(90_000), true, null, new Dictionary<string, long?>(), OneMiB, null, Rpo);

        // act
        var first = FailoverPlanner.Fingerprint(a, "pg2");
        var second = FailoverPlanner.Fingerprint(b, "pg2");

        // assert
        Assert.Equal(first, second);
    }

    [Fact]
    public void Fingerprint_CandidateCrossesMaximumLag_Differs()
    {
        // arrange
        var a = FailoverPlanner.Plan(Healthy(100), true, null, new Dictionary<string, long?>(), OneMiB, null, Rpo);
        var b = FailoverPlanner.Plan(Healthy(5 * OneMiB), true, null, new Dictionary<string, long?>(), OneMiB, null, Rpo);

        // act
        var first = FailoverPlanner.Fingerprint(a, "pg2");
        var second = FailoverPlanner.Fingerprint(b, "pg2");

        // assert
        Assert.NotEqual(first, second);
        Assert.Contains("candidate=pg2:running:over;", second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x3400000L, "0/3400000")]
    [InlineData(0x147B0000L, "0/147B0000")]
    [InlineData(0x1_0000_0028L, "1/28")]
    public void Format_Lsn_PgLsnText(long lsn, string expected)
    {
        // arrange / act
        var text = PgLsn.Format(lsn);

        // assert
        Assert.Equal(expected, text);
    }
}
