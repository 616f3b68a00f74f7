using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class PatroniProbeTests
{
    private static readonly Uri M1 = FakePatroniClient.Url(1);
    private static readonly Uri M2 = FakePatroniClient.Url(2);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static PatroniProbe CreateSut(FakePatroniClient client) =>
        new(client, Options.Create(new PatroniOptions { Urls = client.Members.Select(u => u.ToString()).ToList() }), new FakeTimeProvider(Now));

    private static FakePatroniClient Healthy(long lag = 0)
    {
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "streaming", lag, 4));
        return new FakePatroniClient(M1, M2)
            .WithCluster(M1, cluster).WithCluster(M2, cluster)
            .WithStatus(M1, FakePatroniClient.Status("master", dcsLastSeen: Now.ToUnixTimeSeconds()))
            .WithStatus(M2, FakePatroniClient.Status("replica", dcsLastSeen: Now.ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task RunAsync_HealthyCluster_OkWithLeaderAndCandidate()
    {
        // arrange
        var sut = CreateSut(Healthy(lag: 512));

        // act
        var result = await sut.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("leader pg1 on timeline 4, 1 of 1 replica(s) running, max lag 512 B", result.Summary);
        Assert.Equal("pg1", result.Facts[FactKeys.PatroniLeader]);
        Assert.Equal("4", result.Facts[FactKeys.PatroniTimeline]);
        Assert.Equal("pg1:leader:running,pg2:replica:streaming", result.Facts[FactKeys.PatroniMembers]);
        Assert.Equal("false", result.Facts[FactKeys.PatroniPaused]);
        Assert.Equal("512", result.Facts[FactKeys.MaxReplicaLagBytes]);
        Assert.Equal("pg2", result.Facts[DiagnosisFactKeys.PatroniCandidate]);
        Assert.Equal("true", result.Facts[DiagnosisFactKeys.PatroniLeaderHealthy]);
        Assert.Equal("2/2", result.Facts[DiagnosisFactKeys.PatroniReachable]);
    }

    [Fact]
    public async Task RunAsync_NoLeader_CritWithEmptyLeaderFact()
    {
        // arrange
        const string cluster = """{"members":[{"name":"pg1","role":"replica","state":"running","api_url":"http://127.0.0.1:8001/patroni","timeline":4,"lag":0},{"name":"pg2","role":"replica","state":"running","api_url":"http://127.0.0.1:8002/patroni","timeline":4,"lag":0}]}""";
        var client = new FakePatroniClient(M1, M2).WithCluster(M1, cluster).WithCluster(M2, cluster)
            .WithStatus(M1, FakePatroniClient.Status("replica")).WithStatus(M2, FakePatroniClient.Status("replica"));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Contains("Patroni reports no leader", result.Summary, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Facts[FactKeys.PatroniLeader]);
        Assert.Equal("false", result.Facts[DiagnosisFactKeys.PatroniLeaderHealthy]);
    }

    [Fact]
    public async Task RunAsync_TwoLeaders_CritSplitBrain()
    {
        // arrange
        const string cluster = """{"members":[{"name":"pg1","role":"leader","state":"running","api_url":"http://127.0.0.1:8001/patroni","timeline":4},{"name":"pg2","role":"leader","state":"running","api_url":"http://127.0.0.1:8002/patroni","timeline":5}]}""";
        var client = new FakePatroniClient(M1, M2).WithCluster(M1, cluster).WithCluster(M2, cluster)
            .WithStatus(M1, FakePatroniClient.Status("master")).WithStatus(M2, FakePatroniClient.Status("master"));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Contains("2 members claim leadership (pg1, pg2): split brain", result.Summary, StringComparison.Ordinal);
        Assert.Equal("2", result.Facts[DiagnosisFactKeys.PatroniLeaderCount]);
    }

    [Fact]
    public async Task RunAsync_MembersDisagreeAboutLeader_WarnNamesEachView()
    {
        // arrange
        var client = Healthy().WithCluster(M2, FakePatroniClient.Cluster("pg2", ("pg1", "running", 0, 4)));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.NotEqual(ProbeStatus.Ok, result.Status);
        Assert.Equal("true", result.Facts[DiagnosisFactKeys.PatroniLeaderDisagreement]);
        Assert.Contains("members disagree about the leader: pg1 says pg1; pg2 says pg2", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LeaderHangsOnPatroniEndpoint_CritLeaderUnhealthyAndDegraded()
    {
        // arrange
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "streaming", 0, 4));
        var client = new FakePatroniClient(M1, M2).WithCluster(M2, cluster).WithStatus(M2, FakePatroniClient.Status("replica")).Hung(M1);

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("false", result.Facts[DiagnosisFactKeys.PatroniLeaderHealthy]);
        Assert.Equal("did not answer /patroni within 3 s (its PostgreSQL may be hung)", result.Facts[DiagnosisFactKeys.PatroniLeaderProblem]);
        Assert.Equal("1/2", result.Facts[DiagnosisFactKeys.PatroniReachable]);
        Assert.Contains("DEGRADED: 1 of 2 member(s) did not answer: pg1 (no answer within 3 s)", result.Summary, StringComparison.Ordinal);
        Assert.Equal("pg2", result.Facts[DiagnosisFactKeys.PatroniCandidate]);
    }

    [Fact]
    public async Task RunAsync_ReplicaLagUnknownAndStopped_CritNoCandidate()
    {
        // arrange
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "stopped", null, 4));
        var client = Healthy().WithCluster(M1, cluster).Refusing(M2);

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("pg2 (stopped)", result.Facts[DiagnosisFactKeys.PatroniUnhealthyReplicas]);
        Assert.Equal("pg2 (lag unknown)", result.Facts[DiagnosisFactKeys.PatroniLaggingReplicas]);
        Assert.False(result.Facts.ContainsKey(DiagnosisFactKeys.PatroniCandidate));
    }

    [Fact]
    public async Task RunAsync_LagAboveConfiguredMaximum_WarnAndNotACandidate()
    {
        // arrange
        var client = Healthy(lag: 5000);
        client.ConfigJson = """{"loop_wait":10,"maximum_lag_on_failover":4096}""";

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Warn, result.Status);
        Assert.Equal("pg2 (lag 4.9 KiB > 4 KiB)", result.Facts[DiagnosisFactKeys.PatroniLaggingReplicas]);
        Assert.Equal("4096", result.Facts[DiagnosisFactKeys.PatroniMaxLagOnFailover]);
        Assert.False(result.Facts.ContainsKey(DiagnosisFactKeys.PatroniCandidate));
    }

    [Fact]
    public async Task RunAsync_ReplicaOnOldTimeline_CritUnhealthy()
    {
        // arrange
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 3));
        var client = Healthy().WithCluster(M1, cluster).WithCluster(M2, cluster);

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("pg2 (timeline 3, leader on 4)", result.Facts[DiagnosisFactKeys.PatroniUnhealthyReplicas]);
        Assert.False(result.Facts.ContainsKey(DiagnosisFactKeys.PatroniCandidate), "a replica on another timeline is never the suggested candidate");
    }

    [Fact]
    public async Task RunAsync_PausedCluster_Warn()
    {
        // arrange
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "streaming", 0, 4)).Replace("{\"members\"", "{\"pause\":true,\"members\"", StringComparison.Ordinal);
        var client = Healthy().WithCluster(M1, cluster).WithCluster(M2, cluster);

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Warn, result.Status);
        Assert.Equal("true", result.Facts[FactKeys.PatroniPaused]);
        Assert.Contains("paused", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StaleDcsView_Warn()
    {
        // arrange
        var client = Healthy().WithStatus(M2, FakePatroniClient.Status("replica", dcsLastSeen: Now.ToUnixTimeSeconds() - 60));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Warn, result.Status);
        Assert.Contains("pg2 last saw the DCS 1 min ago (loop_wait 2 s)", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MembersAddressedByServiceNames_OkWithoutFalseMissingMembers()
    {
        // arrange
        var a = new Uri("http://postgres-primary:8008");
        var b = new Uri("http://postgres-replica:8008");
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 4)); // api_url by IP, as Patroni on Kubernetes reports it
        var client = new FakePatroniClient(a, b).WithCluster(a, cluster).WithCluster(b, cluster)
            .WithStatus(a, FakePatroniClient.Status("master", dcsLastSeen: Now.ToUnixTimeSeconds()))
            .WithStatus(b, FakePatroniClient.Status("replica", dcsLastSeen: Now.ToUnixTimeSeconds()));

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("pg2", result.Facts[DiagnosisFactKeys.PatroniCandidate]);
    }

    [Fact]
    public async Task RunAsync_ServiceNamesAndOneMemberGoneFromCluster_CritCountsTheMissing()
    {
        // arrange
        var a = new Uri("http://postgres-primary:8008");
        var b = new Uri("http://postgres-replica:8008");
        var cluster = """{"members":[{"name":"pg1","role":"leader","state":"running","api_url":"http://10.0.0.7:8008/patroni","timeline":4}]}""";
        var client = new FakePatroniClient(a, b).WithCluster(a, cluster).WithStatus(a, FakePatroniClient.Status("master")).Refusing(b);

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("1 of 2 configured member(s) (missing from /cluster)", result.Facts[DiagnosisFactKeys.PatroniUnhealthyReplicas]);
    }

    [Fact]
    public async Task RunAsync_EveryMemberHung_UnknownNamingThem()
    {
        // arrange
        var client = new FakePatroniClient(M1, M2).Hung(M1).Hung(M2);

        // act
        var result = await CreateSut(client).RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("no Patroni member answered /cluster: 127.0.0.1:8001 (no answer within 3 s), 127.0.0.1:8002 (no answer within 3 s)", result.Summary, StringComparison.Ordinal);
        Assert.False(result.Facts.ContainsKey(FactKeys.PatroniLeader));
        Assert.Equal("0/2", result.Facts[DiagnosisFactKeys.PatroniReachable]);
    }

    [Fact]
    public async Task RunAsync_NoUrlsConfigured_UnknownNotConfigured()
    {
        // arrange
        var sut = CreateSut(new FakePatroniClient());

        // act
        var result = await sut.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Equal("not configured: set Cerberus__Patroni__Urls__0", result.Summary);
        Assert.Equal("true", result.Facts[DiagnosisFactKeys.NotConfigured]);
    }
}
