using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>The Patroni probe beyond one /cluster answer: two members claiming primary, and /history dating the last switch.</summary>
public sealed class PatroniProbeSplitBrainTests
{
    private static readonly Uri M1 = FakePatroniClient.Url(1);
    private static readonly Uri M2 = FakePatroniClient.Url(2);
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 30, 0, TimeSpan.Zero);

    private static PatroniProbe CreateSut(FakePatroniClient client) =>
        new(client, Options.Create(new PatroniOptions { Urls = client.Members.Select(u => u.ToString()).ToList() }), new FakeTimeProvider(Now));

    private static FakePatroniClient Cluster(string secondRole)
    {
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 4));
        return new FakePatroniClient(M1, M2)
            .WithCluster(M1, cluster).WithCluster(M2, cluster)
            .WithStatus(M1, FakePatroniClient.Status("master", dcsLastSeen: Now.ToUnixTimeSeconds()))
            .WithStatus(M2, FakePatroniClient.Status(secondRole, dcsLastSeen: Now.ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task RunAsync_ReplicaAlsoReportsMaster_SplitBrainCritNamingWhomToFence()
    {
        // arrange: the DCS has one leader key (pg1), but pg2's own PostgreSQL is out of recovery
        var sut = CreateSut(Cluster("master"));

        // act
        var result = await sut.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("pg1, pg2", result.Facts[DiagnosisFactKeys.SplitBrain]);
        Assert.Contains("split brain: pg1 and pg2 each report role master on /patroni; pg1 holds the leader lock, so fence pg2", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OnePrimary_NoSplitBrainFact()
    {
        // arrange
        var sut = CreateSut(Cluster("replica"));

        // act
        var result = await sut.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.False(result.Facts.ContainsKey(DiagnosisFactKeys.SplitBrain));
    }

    [Fact]
    public async Task RunAsync_HistoryWithASwitch_DatesItAndNamesBothLeaders()
    {
        // arrange: 3.0.2 entries are [timeline that ended, switch lsn, reason, timestamp, new leader]
        var client = Cluster("replica");
        client.History.Add(new PatroniHistoryEntry(1, 50331808, "no recovery target specified", "2026-12-03T10:00:00.123456+00:00", "pg2"));
        client.History.Add(new PatroniHistoryEntry(2, 67109016, "no recovery target specified", "2026-12-03T10:25:00.5+00:00", "pg1"));
        var sut = CreateSut(client);

        // act
        var result = await sut.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal("3", result.Facts[DiagnosisFactKeys.LastSwitchTimeline]);
        Assert.Equal("pg1", result.Facts[DiagnosisFactKeys.LastSwitchLeader]);
        Assert.Equal("pg2", result.Facts[DiagnosisFactKeys.PreviousLeader]);
        Assert.Equal("2026-12-03T10:25:00Z", result.Facts[DiagnosisFactKeys.LastSwitchAt]);
        Assert.Equal("299.5", result.Facts[DiagnosisFactKeys.LastSwitchAgeSeconds]);
    }
}
