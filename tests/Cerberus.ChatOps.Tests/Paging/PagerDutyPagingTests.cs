using Cerberus.ChatOps.Paging;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.PagerDuty;

namespace Cerberus.ChatOps.Tests.Paging;

/// <summary>Paging out through the outbox to a fake PagerDuty that speaks the Events API v2.</summary>
public sealed class PagerDutyPagingTests : IAsyncLifetime
{
    private const string RoutingKey = "R0UT1NGKEY0123456789abcdefABCDEF";
    private static readonly CancellationToken None = CancellationToken.None;
    private FakePagerDutyServer _pagerDuty = null!;

    public async Task InitializeAsync() => _pagerDuty = await FakePagerDutyServer.StartAsync();

    public async Task DisposeAsync() => await _pagerDuty.DisposeAsync();

    [Fact]
    public async Task Start_Critical_OneTriggerWithTheIncidentIdAsDedupKeyAndNoRoutingKeyStored()
    {
        // arrange
        await using var h = Harness();

        // act
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "primary down", false, EngineHarness.Reply(), None);
        var stored = (await h.OutboxAsync()).Single(m => m.Item.Kind == "pagerduty").Item.Payload;
        await h.IdleAsync();
        await h.DeliverOutboxAsync();

        // assert
        var trigger = Assert.Single(_pagerDuty.Events);
        Assert.Equal("trigger", trigger["event_action"]!.GetValue<string>());
        Assert.Equal(id, trigger["dedup_key"]!.GetValue<string>());
        Assert.Equal("critical", trigger["payload"]!["severity"]!.GetValue<string>());
        Assert.Equal($"[{id}] declared: primary down", trigger["payload"]!["summary"]!.GetValue<string>());
        Assert.Equal(RoutingKey, trigger["routing_key"]!.GetValue<string>());
        Assert.DoesNotContain(RoutingKey, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PagerDutyFailsTwice_RetriedUntilAcceptedAndOnePagerDutyIncident()
    {
        // arrange
        await using var h = Harness();
        _pagerDuty.FailNext(1, 500);
        _pagerDuty.FailNext(1, 429);

        // act
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "primary down", false, EngineHarness.Reply(), None);
        await h.IdleAsync();
        await h.DeliverOutboxAsync();
        await h.Engine.Commands.EscalateAsync(id!, Some.Starter, EngineHarness.Reply(), None);
        await h.DeliverOutboxAsync();

        // assert
        Assert.Equal(4, _pagerDuty.Requests);
        Assert.Equal(["trigger", "trigger"], _pagerDuty.Events.Select(e => e["event_action"]!.GetValue<string>()));
        Assert.Equal(1, _pagerDuty.IncidentsOpened);
        Assert.Equal("triggered", _pagerDuty.Incidents[id!]);
        Assert.Contains(h.Slack is RecordingSlackApi slack ? slack.Posts.Select(p => p.Message.Text) : [], t => t.Contains("PagerDuty is paged again.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RosterMemberTakesCommandThenCancel_AcknowledgeThenResolve()
    {
        // arrange
        await using var h = Harness();
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "primary down", false, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // act
        await h.Engine.Commands.ChangeCommanderAsync(EngineHarness.Channel, Some.Starter, Some.Approver, EngineHarness.Reply(), None);
        await h.DeliverOutboxAsync();
        var afterCommand = _pagerDuty.Incidents[id!];
        await h.Engine.Commands.CancelAsync(EngineHarness.Channel, Some.Approver, EngineHarness.Reply(Some.Approver), None);
        await h.IdleAsync();
        await h.DeliverOutboxAsync();

        // assert
        Assert.Equal("acknowledged", afterCommand);
        Assert.Equal(["trigger", "acknowledge", "resolve"], _pagerDuty.Events.Select(e => e["event_action"]!.GetValue<string>()));
        Assert.Equal("resolved", _pagerDuty.Incidents[id!]);
    }

    [Fact]
    public async Task Resolve_EnqueuesTheResolveWithTheResolution()
    {
        // arrange
        await using var h = Harness();
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "primary down", false, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // act
        await h.Engine.Commands.ResolveAsync(EngineHarness.Channel, Some.Approver, "disk full", force: true, EngineHarness.Reply(Some.Approver), None);
        await h.IdleAsync();

        // assert
        var pages = (await h.OutboxAsync()).Where(m => m.Item.Kind == "pagerduty").Select(m => System.Text.Json.Nodes.JsonNode.Parse(m.Item.Payload)!).ToList();
        Assert.Equal(["trigger", "resolve"], pages.Select(p => p["event_action"]!.GetValue<string>()));
        Assert.All(pages, p => Assert.Equal(id, p["dedup_key"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Drill_NeverPages()
    {
        // arrange
        await using var h = Harness();

        // act
        await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "disk-full", true, EngineHarness.Reply(), None);
        await h.IdleAsync();
        await h.DeliverOutboxAsync();

        // assert
        Assert.Equal(0, _pagerDuty.Requests);
        Assert.DoesNotContain(await h.OutboxAsync(), m => m.Item.Kind == "pagerduty");
    }

    [Fact]
    public async Task Start_PagerDutyRefusesTheEvent_BuriedAndTheThreadSaysToPageAnotherWay()
    {
        // arrange
        await using var h = Harness();
        _pagerDuty.FailNext(1, 400);

        // act
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "primary down", false, EngineHarness.Reply(), None);
        await h.IdleAsync();
        await h.DeliverOutboxAsync();

        // assert
        Assert.Empty(_pagerDuty.Events);
        var posted = ((RecordingSlackApi)h.Slack!).Posts.Select(p => p.Message.Text).ToList();
        Assert.Contains(posted, t => t.Contains($"PagerDuty did not take the trigger for {id} after 1 attempt(s): http_400", StringComparison.Ordinal) && t.Contains("Page the on-call engineer another way.", StringComparison.Ordinal));
    }

    private EngineHarness Harness()
    {
        var h = new EngineHarness { Slack = new RecordingSlackApi() };
        h.PagerDuty.RoutingKey = RoutingKey;
        h.PagerDuty.EventsUrl = _pagerDuty.EventsUrl.ToString();
        return h;
    }
}
