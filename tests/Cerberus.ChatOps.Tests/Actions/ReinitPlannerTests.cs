using System.Text.Json;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>Which replica needs a rebuild, from /cluster and the leader's pg_stat_replication and slots (Patroni 3.0.2 names).</summary>
public sealed class ReinitPlannerTests
{
    private static PatroniCluster Cluster(string state = "running", int timeline = 4) => JsonSerializer.Deserialize<PatroniCluster>($$"""
        {"members":[
          {"name":"pg1","role":"leader","state":"running","timeline":4},
          {"name":"pg-2","role":"replica","state":"{{state}}","timeline":{{timeline}},"lag":0}
        ]}
        """)!;

    private static ReplicaCondition Judge(PatroniCluster cluster, LeaderReplication replication, bool useSlots = true) =>
        ReinitPlanner.Judge(cluster.Members[1], cluster, cluster.Leader!, replication, useSlots);

    [Fact]
    public void Judge_StreamingWithItsSlot_Healthy()
    {
        // arrange: Patroni's slot name for pg-2 is pg_2 (slot_name_from_member_name)
        var replication = new LeaderReplication([new StandbyConnection("pg-2", "streaming", "async", 0)], [new LeaderSlot("pg_2", "physical", true, "reserved")], 1, null);

        // act
        var condition = Judge(Cluster(), replication);

        // assert
        Assert.True(condition.Healthy);
        Assert.False(condition.Broken);
        Assert.Empty(condition.Reasons);
    }

    [Fact]
    public void Judge_StreamingButSlotMissing_NotBrokenTheLeaderRecreatesIt()
    {
        // arrange
        var replication = new LeaderReplication([new StandbyConnection("pg-2", "streaming", "async", 0)], [], 1, null);

        // act
        var condition = Judge(Cluster(), replication);

        // assert
        Assert.Equal([ReinitPlanner.SlotMissing], condition.Reasons);
        Assert.False(condition.Broken);
        Assert.Contains("its slot pg_2 is missing on pg1", condition.Findings);
    }

    [Fact]
    public void Judge_SlotLostAndCatchingUp_Broken()
    {
        // arrange: a walsender in catchup, its slot invalidated by max_slot_wal_keep_size
        var replication = new LeaderReplication([new StandbyConnection("pg-2", "catchup", "async", null)], [new LeaderSlot("pg_2", "physical", false, "lost")], 1, null);

        // act
        var condition = Judge(Cluster(), replication);

        // assert
        Assert.True(condition.Broken);
        Assert.Equal([ReinitPlanner.NotStreaming, ReinitPlanner.SlotLost], condition.Reasons);
        Assert.Contains("not streaming: its connection on pg1 is catchup", condition.Findings);
    }

    [Fact]
    public void Judge_StoppedWithoutSlots_NotRunningAndNoSlotCheck()
    {
        // arrange
        var replication = new LeaderReplication([], [], 1, null);

        // act
        var condition = Judge(Cluster(state: "start failed"), replication, useSlots: false);

        // assert
        Assert.Equal([ReinitPlanner.NotRunning, ReinitPlanner.NotStreaming], condition.Reasons);
        Assert.True(condition.Broken);
    }

    [Fact]
    public void Judge_LeaderUnreadable_StreamingUnknownNeverHealthy()
    {
        // act
        var condition = Judge(Cluster(), LeaderReplication.Unreadable("connection refused"));

        // assert
        Assert.True(condition.StreamingUnknown);
        Assert.False(condition.Healthy);
        Assert.False(condition.Broken);
    }

    [Theory]
    [InlineData("""{"ttl":20}""", true)]
    [InlineData("""{"postgresql":{"use_slots":false}}""", false)]
    [InlineData("""{"postgresql":{"use_slots":true,"parameters":{}}}""", true)]
    [InlineData("""{"postgresql":{"parameters":{}}}""", true)]
    public void UseSlots_AsPatroniReadsIt_TrueWhenAbsent(string json, bool expected)
    {
        // act
        var config = JsonSerializer.Deserialize<PatroniDynamicConfig>(json)!;

        // assert
        Assert.Equal(expected, config.UseSlots);
    }
}
