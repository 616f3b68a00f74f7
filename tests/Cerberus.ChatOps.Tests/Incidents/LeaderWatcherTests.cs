using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Slack.Outbound;
using FakePatroniClient = Cerberus.ChatOps.Tests.Diagnostics.FakePatroniClient;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.Tests.Incidents;

/// <summary>The leader watch through the engine's store and outbox, with canned Patroni 3.0.2 answers.</summary>
public sealed class LeaderWatcherTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static (LeaderWatcher Watcher, ServiceProvider Services) CreateSut(EngineHarness h, FakePatroniClient patroni)
    {
        var services = new ServiceCollection().AddSingleton<IPatroniClient>(patroni).BuildServiceProvider();
        var watcher = new LeaderWatcher(h.Store, h.Mutator, services.GetRequiredService<IServiceScopeFactory>(),
            new StaticOptionsMonitor<IncidentOptions>(h.Options), h.Time, NullLogger<LeaderWatcher>.Instance);
        return (watcher, services);
    }

    private static void Leads(FakePatroniClient patroni, string leader, string replica, int replicaTimeline, string replicaRole = "replica")
    {
        var cluster = FakePatroniClient.Cluster(leader, (replica, "running", 0, replicaTimeline));
        patroni.WithCluster(FakePatroniClient.Url(1), cluster).WithCluster(FakePatroniClient.Url(2), cluster)
            .WithStatus(FakePatroniClient.Url(leader[^1] - '0'), FakePatroniClient.Status("master"))
            .WithStatus(FakePatroniClient.Url(replica[^1] - '0'), FakePatroniClient.Status(replicaRole));
    }

    [Fact]
    public async Task WatchOnce_ChangeThenStalePrimaryThenRejoin_EachPostedOnceWithTheHeader()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None);
        await h.IdleAsync();
        var patroni = new FakePatroniClient(FakePatroniClient.Url(1), FakePatroniClient.Url(2));
        var (sut, services) = CreateSut(h, patroni);
        await using var _ = services;
        Leads(patroni, "pg1", "pg2", 4);
        var before = (await h.OutboxAsync()).Count;

        // act
        var baseline = await sut.WatchOnceAsync(None);
        Leads(patroni, "pg2", "pg1", 4);
        var change = await sut.WatchOnceAsync(None);
        Leads(patroni, "pg2", "pg1", 3, replicaRole: "master");
        var stale = await sut.WatchOnceAsync(None);
        var repeated = await sut.WatchOnceAsync(None);
        var afterStale = await h.OutboxAsync();
        Leads(patroni, "pg2", "pg1", 4);
        var rejoined = await sut.WatchOnceAsync(None);

        // assert
        Assert.Empty(baseline);
        Assert.Equal(LeaderWatchEventKind.LeaderChanged, Assert.Single(change).Kind);
        Assert.Equal(LeaderWatchEventKind.StalePrimary, Assert.Single(stale).Kind);
        Assert.Empty(repeated);
        Assert.Equal(LeaderWatchEventKind.Rejoined, Assert.Single(rejoined).Kind);
        var posted = afterStale.Skip(before).ToList();
        var threads = posted.Where(p => p.Item.Kind == OutboxKinds.Thread).Select(p => p.Message.Text).ToList();
        Assert.Equal(2, threads.Count);
        Assert.StartsWith(":eyes: Leader watch: leader change pg1 → pg2 (timeline 4; seen in /cluster)", threads[0], StringComparison.Ordinal);
        Assert.Contains("*STALE PRIMARY* in INC-2026-0001: stale primary: pg1, a former leader, still runs as a primary (its /patroni answers role master)", threads[1], StringComparison.Ordinal);
        Assert.Contains("`/dbincident propose fence pg1`", threads[1], StringComparison.Ordinal);
        Assert.Contains("Patroni 3.0.2 has the stale-primary bug", threads[1], StringComparison.Ordinal);
        var header = posted.Last(p => p.Item.Kind == OutboxKinds.Update && p.Item.MessageRef == OutboxBatch.HeaderRef).Message.Blocks!.ToJsonString();
        Assert.Contains("*Leader watch* (since 02:0", header, StringComparison.Ordinal);
        Assert.Contains(":rotating_light:", header, StringComparison.Ordinal);
        Assert.Contains("STALE PRIMARY", header, StringComparison.Ordinal);
        var incident = await h.IncidentAsync(id!);
        Assert.Equal(3, incident.Timeline.Count(e => e.Kind == TimelineKind.LeaderWatch));
        Assert.Equal(["pg1"], incident.LeaderWatch!.FormerLeaders);
    }

    [Fact]
    public async Task WatchOnce_NoOpenIncident_PatroniNotAsked()
    {
        // arrange
        await using var h = new EngineHarness();
        var patroni = new FakePatroniClient(FakePatroniClient.Url(1)).Hung(FakePatroniClient.Url(1));
        var (sut, services) = CreateSut(h, patroni);
        await using var _ = services;

        // act
        var events = await sut.WatchOnceAsync(None);

        // assert
        Assert.Empty(events);
        Assert.Empty(await h.OutboxAsync());
    }
}
