using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>
/// The DCS out of reach, as Patroni 3.0.2 serves it (<c>api.py</c>): <c>/cluster</c> reads the DCS and gets no answer,
/// <c>/patroni</c> answers from the member's own state with a stale <c>dcs_last_seen</c>, <c>cluster_unlocked</c> once
/// the cached view is older than ttl, and <c>failsafe_mode_is_active</c> while the primary runs on failsafe_mode.
/// </summary>
public sealed class PatroniProbeDcsTests
{
    private static readonly Uri M1 = FakePatroniClient.Url(1);
    private static readonly Uri M2 = FakePatroniClient.Url(2);
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 4, 0, 0, TimeSpan.Zero);
    private static readonly long Stale = Now.ToUnixTimeSeconds() - 60;

    private static PatroniProbe CreateSut(FakePatroniClient client) =>
        new(client, Options.Create(new PatroniOptions { Urls = client.Members.Select(u => u.ToString()).ToList() }), new FakeTimeProvider(Now));

    /// <summary>A 3.0.2 /patroni answer with the DCS gone for a minute.</summary>
    private static string Status(string role, bool failsafe) =>
        $$"""{"state":"running","postmaster_start_time":"2026-12-04 03:00:00.000000+00:00","role":"{{role}}","server_version":150018,"xlog":{"location":67108864},"timeline":4,"cluster_unlocked":true{{(failsafe ? ",\"failsafe_mode_is_active\":true" : string.Empty)}},"dcs_last_seen":{{Stale}},"database_system_identifier":"7715019069647126828","patroni":{"version":"3.0.2","scope":"cerberus-cluster"} }""";

    [Fact]
    public async Task RunAsync_FailsafeModeActiveAndNoClusterAnswer_CritAndTheClassifierSaysNotToFailOver()
    {
        // arrange: etcd down, failsafe_mode on: pg1 stays primary, no /cluster anywhere
        var client = new FakePatroniClient(M1, M2) { ConfigJson = null }
            .WithStatus(M1, Status("master", failsafe: true))
            .WithStatus(M2, Status("replica", failsafe: true));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);
        var verdict = DiagnosisClassifier.Classify(Some.HealthyWith(Some.ConnectivityOk(), result));

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("true", result.Facts[DcsFactKeys.Unreachable]);
        Assert.Equal("60", result.Facts[DcsFactKeys.LastSeenAgeSeconds]);
        Assert.Equal(2, FactList.Split(result.Facts[DcsFactKeys.FailsafeMembers]).Count);
        Assert.Contains("Patroni cannot reach its DCS: the freshest member last read it 1 min ago (loop_wait", result.Summary, StringComparison.Ordinal);
        Assert.Equal(Classification.DcsUnreachable, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.Failover, verdict.Recommended);
        Assert.DoesNotContain(RemediationKind.Switchover, verdict.Recommended);
        Assert.Contains("failsafe mode is active on", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("do not fail over or switch over: Patroni writes the failover key to the DCS first", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DcsGoneWithoutFailsafeAndNoPrimary_NoFailoverEvenThoughThePrimaryIsUnresponsive()
    {
        // arrange: the leader demoted itself (ha.py _handle_dcs_error), both members replicas, the configured target refuses
        var client = new FakePatroniClient(M1, M2) { ConfigJson = null }
            .WithStatus(M1, Status("replica", failsafe: false))
            .WithStatus(M2, Status("replica", failsafe: false));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);
        var verdict = DiagnosisClassifier.Classify(Some.HealthyWith(Some.ConnectivityRefused(), result));

        // assert
        Assert.Equal("true", result.Facts[DcsFactKeys.Unreachable]);
        Assert.Equal(Classification.DcsUnreachable, verdict.Classification);
        Assert.DoesNotContain(RemediationKind.Failover, verdict.Recommended);
        Assert.Contains("no member runs as primary", verdict.Sentence, StringComparison.Ordinal);
        Assert.Contains("also primary unresponsive", verdict.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RecordedFromTheLabWithEtcdStopped_DcsUnreachableAndThePrimaryNamed()
    {
        // arrange: the lab's real 3.0.2 answers 12 s after its etcd was SIGSTOPped (2026-12-04): /cluster and /config
        // hung past 4 s and 3 s, /patroni answered; the replica already reports cluster_unlocked
        const string leader = """{"state": "running", "postmaster_start_time": "2026-12-04 04:33:42.477500+00:00", "role": "master", "server_version": 150018, "xlog": {"location": 50640232}, "timeline": 2, "replication": [{"usename": "replicator", "application_name": "pg2", "client_addr": "127.0.0.1", "state": "streaming", "sync_state": "async", "sync_priority": 0}], "dcs_last_seen": 1796358842, "database_system_identifier": "7715294679838513604", "patroni": {"version": "3.0.2", "scope": "cerberus-cluster"}}""";
        const string replica = """{"state": "running", "postmaster_start_time": "2026-12-04 04:03:49.584161+00:00", "role": "replica", "server_version": 150018, "xlog": {"received_location": 50640352, "replayed_location": 50640352, "replayed_timestamp": "2026-12-04 04:05:17.128013+00:00", "paused": false}, "timeline": 2, "cluster_unlocked": true, "dcs_last_seen": 1796358844, "database_system_identifier": "7715294679838513604", "patroni": {"version": "3.0.2", "scope": "cerberus-cluster"}}""";
        var client = new FakePatroniClient(M1, M2) { ConfigJson = null }.WithStatus(M1, leader).WithStatus(M2, replica);
        var sut = new PatroniProbe(client, Options.Create(new PatroniOptions { Urls = client.Members.Select(u => u.ToString()).ToList() }),
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1796358853)));

        // act
        var result = await sut.RunAsync(CancellationToken.None);
        var verdict = DiagnosisClassifier.Classify(Some.HealthyWith(result));

        // assert
        Assert.Equal("true", result.Facts[DcsFactKeys.Unreachable]);
        Assert.Equal("true", result.Facts[DcsFactKeys.ClusterUnanswered]);
        Assert.Equal("9", result.Facts[DcsFactKeys.LastSeenAgeSeconds]);
        Assert.Single(FactList.Split(result.Facts[DcsFactKeys.PrimaryMembers]));
        Assert.Equal(Classification.DcsUnreachable, verdict.Classification);
        Assert.Contains("still runs as primary, and without failsafe_mode Patroni 3.0.2 demotes it", verdict.Sentence, StringComparison.Ordinal);
        Assert.Empty(verdict.Recommended);
    }

    [Fact]
    public async Task RunAsync_OneMemberStaleTheOtherFresh_NotADcsOutage()
    {
        // arrange: only pg2's view is stale (its own network), pg1 reads the DCS fine
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "streaming", 0, 4));
        var client = new FakePatroniClient(M1, M2).WithCluster(M1, cluster).WithCluster(M2, cluster)
            .WithStatus(M1, FakePatroniClient.Status("master", dcsLastSeen: Now.ToUnixTimeSeconds()))
            .WithStatus(M2, FakePatroniClient.Status("replica", dcsLastSeen: Stale));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal("false", result.Facts[DcsFactKeys.Unreachable]);
        Assert.Equal(ProbeStatus.Warn, result.Status);
        Assert.Equal(Classification.Healthy, DiagnosisClassifier.Classify(Some.HealthyWith(result)).Classification);
    }

    [Fact]
    public void Classify_DcsLogLineWhilePatroniAnswersFresh_NotADcsOutage()
    {
        // arrange: a blip in the log window, Patroni's view is fresh now
        var results = Some.HealthyWith(Some.KubernetesLog("dcs_unreachable"));

        // act
        var verdict = DiagnosisClassifier.Classify(results);

        // assert
        Assert.NotEqual(Classification.DcsUnreachable, verdict.Classification);
    }
}
