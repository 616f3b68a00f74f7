using System.Text.Json;
using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Tests.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Patroni;

/// <summary>Who leads: one rule for the diagnostics and the actions.</summary>
public sealed class PatroniClusterTests
{
    private static readonly Uri M1 = FakePatroniClient.Url(1);
    private static readonly Uri M2 = FakePatroniClient.Url(2);
    private static readonly Uri M3 = FakePatroniClient.Url(3);

    [Fact]
    public void Believed_OneMemberDisagreesWithTwo_TheTwoWinEvenWhenTheOneIsFirstAndShowsARunningLeader()
    {
        // arrange
        var answers = new[]
        {
            Answer(M1, FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 4), ("pg3", "running", 0, 4))),
            Answer(M2, FakePatroniClient.Cluster("pg2", ("pg1", "running", 0, 4), ("pg3", "running", 0, 4))),
            Answer(M3, FakePatroniClient.Cluster("pg2", ("pg1", "running", 0, 4), ("pg3", "running", 0, 4))),
        };

        // act
        var believed = PatroniCluster.Believed(answers);

        // assert
        Assert.Equal("pg2", believed?.Leader?.Name);
    }

    [Fact]
    public void Believed_TieBetweenALeaderlessViewAndARunningLeader_TheRunningLeader()
    {
        // arrange: a two-member cluster whose members disagree: the first lost the leader key, the second names one
        var answers = new[]
        {
            Answer(M1, """{"members":[{"name":"pg1","role":"replica","state":"running"},{"name":"pg2","role":"replica","state":"running"}]}"""),
            Answer(M2, FakePatroniClient.Cluster("pg2", ("pg1", "running", 0, 4))),
        };

        // act
        var believed = PatroniCluster.Believed(answers);

        // assert: a leader key that exists beats a view that lost it (a failover planned on it could race a running leader)
        Assert.NotNull(believed);
        Assert.Equal("pg2", believed.Leader?.Name);
    }

    [Fact]
    public void Believed_TieBetweenTwoRunningLeaders_TheFirstMembersView()
    {
        // arrange
        var answers = new[]
        {
            Answer(M1, FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 4))),
            Answer(M2, FakePatroniClient.Cluster("pg2", ("pg1", "running", 0, 4))),
        };

        // act
        var believed = PatroniCluster.Believed(answers);

        // assert
        Assert.Equal("pg1", believed?.Leader?.Name);
    }

    [Fact]
    public void Believed_NoMemberAnswered_Null()
    {
        // arrange
        var answers = new[] { new PatroniAnswer<PatroniCluster>(M1, null, null, true, "no answer within 3 s", TimeSpan.FromSeconds(3)) };

        // act
        var believed = PatroniCluster.Believed(answers);

        // assert
        Assert.Null(believed);
    }

    [Theory]
    [InlineData("leader", true)]
    [InlineData("standby_leader", true)]
    [InlineData("sync_standby", false)]
    [InlineData("replica", false)]
    public void Leader_Role_LeaderAndStandbyLeaderLead(string role, bool leads)
    {
        // arrange
        var cluster = Parse($$"""{"members":[{"name":"pg1","role":"{{role}}","state":"running"},{"name":"pg2","role":"replica","state":"running"}]}""");

        // act
        var leader = cluster.Leader;

        // assert
        Assert.Equal(leads ? "pg1" : null, leader?.Name);
        Assert.Equal(leads ? ["pg2"] : ["pg1", "pg2"], cluster.Replicas.Select(m => m.Name));
    }

    [Fact]
    public void Leader_TwoMembersWithTheRole_NeitherBelieved()
    {
        // arrange: not an answer Patroni 3.0.2 writes (one leader key, one leader role)
        var cluster = Parse("""{"members":[{"name":"pg1","role":"leader","state":"running"},{"name":"pg2","role":"leader","state":"running"}]}""");

        // act
        var leader = cluster.Leader;

        // assert
        Assert.Null(leader);
        Assert.Equal(2, cluster.Leaders.Count);
        Assert.Equal("pg1+pg2", cluster.LeaderKey);
    }

    [Fact]
    public async Task FailoverPropose_FirstMemberInTheMinority_PlansWithTheLeaderTheDiagnosisNames()
    {
        // arrange: pg1's answer still names pg1; pg2's and pg3's name pg2, which answers /patroni as a running primary
        var cluster = FakePatroniClient.Cluster("pg2", ("pg1", "running", 0, 4), ("pg3", "running", 0, 4));
        var patroni = new FakePatroniClient(M1, M2, M3)
            .WithCluster(M1, FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 4), ("pg3", "running", 0, 4)))
            .WithCluster(M2, cluster).WithCluster(M3, cluster)
            .WithStatus(M1, FakePatroniClient.Status("replica")).WithStatus(M2, FakePatroniClient.Status("master")).WithStatus(M3, FakePatroniClient.Status("replica"));
        var action = new PatroniFailoverAction(RemediationKind.Switchover, patroni, new PostgresConnector(Options.Create(new ActionsOptions())),
            Options.Create(new ActionsOptions { WalRateSampleInterval = TimeSpan.Zero }), TimeProvider.System, NullLogger<PatroniFailoverAction>.Instance);
        var request = new ProposalRequest("INC-1", "act-1", "U1", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(15), false, new Dictionary<string, string> { ["candidate"] = "pg3" });

        // act
        var proposal = await action.ProposeAsync(request, CancellationToken.None);
        var diagnosed = new PatroniView(patroni.Members, await patroni.GetClusterFromAllAsync(CancellationToken.None), [], []).Reference?.Leader?.Name;

        // assert
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        Assert.Equal("pg2", diagnosed);
        Assert.Contains("leader pg2 is healthy", proposal.Action.BasedOn, StringComparison.Ordinal);
    }

    private static PatroniAnswer<PatroniCluster> Answer(Uri member, string json) =>
        new(member, Parse(json), 200, false, null, TimeSpan.FromMilliseconds(5));

    private static PatroniCluster Parse(string json) => JsonSerializer.Deserialize<PatroniCluster>(json)!;
}
