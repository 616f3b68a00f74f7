using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;
using static Cerberus.ChatOps.Tests.Support.EngineHarness;

namespace Cerberus.ChatOps.Tests.Access;

/// <summary>The engine applies the access model before anything reads production, and answers privately.</summary>
public sealed class EngineAccessTests
{
    private const string OtherChannel = "C0ELSEWHERE";
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Propose_ByABystander_IsRefusedBeforeAnythingIsReadAndRecorded()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await StartAsync(h);

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Propose, id, "failover", Some.Stranger), None);
        await h.IdleAsync();

        // assert
        Assert.Equal(0, h.Action().Proposals);
        var incident = await h.IncidentAsync(id);
        Assert.Empty(incident.Actions);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Refusal && e.Actor == Some.Stranger);
        Assert.Contains(await h.OutboxAsync(), o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("may propose an action", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Approve_AfterDrift_ReproposalKeepsTheHumanProposer()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await StartAsync(h);
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Propose, id, "failover", Some.Starter), None);
        await h.IdleAsync();
        var first = (await h.IncidentAsync(id)).PendingApproval!.Id;
        h.Action().Fingerprint = "leader=pg2;tl=2";

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, first, Some.Approver), None);
        await h.IdleAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        var fresh = incident.PendingApproval!;
        Assert.NotEqual(first, fresh.Id);
        Assert.Equal(Some.Starter, fresh.ProposedBy);
        Assert.Equal(first, fresh.ReproposalOf);
        var card = (await h.OutboxAsync()).Last(o => o.Message.Blocks?.ToJsonString().Contains(fresh.Id, StringComparison.Ordinal) == true).Message;
        Assert.Contains("re-proposed by the bot", card.Blocks!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_StateChangedMidAction_SaysWhatRanAndReproposesWithTheSameProposer()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await StartAsync(h);
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Propose, id, "failover", Some.Starter), None);
        await h.IdleAsync();
        var first = (await h.IncidentAsync(id)).PendingApproval!.Id;
        h.Action().ChangeMidway = ("mode=switchover", "mode=failover");

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, first, Some.Approver), None);
        await h.IdleAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        var stopped = incident.FindAction(first)!;
        Assert.Equal(ActionStatus.Failed, stopped.Status);
        Assert.Equal("200", stopped.Figures[ActionFigureKeys.RowsDeleted]);
        var fresh = incident.PendingApproval!;
        Assert.Equal(first, fresh.ReproposalOf);
        Assert.Equal(Some.Starter, fresh.ProposedBy);
        Assert.Contains(await h.OutboxAsync(), o => o.Message.Text.Contains("mode=switchover → mode=failover", StringComparison.Ordinal)
            && o.Message.Text.Contains("1 side effect(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApprovalCard_EmptyRoster_SaysNobodyCanApproveAndNamesTheSetting()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.Approvers.Clear();
        var id = await StartAsync(h);

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Propose, id, "failover", Some.Starter), None);
        await h.IdleAsync();

        // assert
        var card = (await h.OutboxAsync()).Single(o => o.Message.Blocks?.ToJsonString().Contains(ButtonIds.Approve, StringComparison.Ordinal) == true).Message;
        var text = card.Blocks!.ToJsonString();
        Assert.Contains("Nobody can approve this", text, StringComparison.Ordinal);
        Assert.Contains("Cerberus__Approvers__0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovalCard_RiskyAction_SaysASecondPersonIsRequiredAndWhy()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await StartAsync(h);

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Propose, id, "failover", Some.Starter), None);
        await h.IdleAsync();

        // assert
        var card = (await h.OutboxAsync()).Single(o => o.Message.Blocks?.ToJsonString().Contains(ButtonIds.Approve, StringComparison.Ordinal) == true).Message;
        var text = card.Blocks!.ToJsonString();
        Assert.Contains("required: someone other than", text, StringComparison.Ordinal);
        Assert.Contains("a failover can lose committed WAL", text, StringComparison.Ordinal);
        Assert.Contains("SecondPersonFor=Risky", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OverThePerUserLimit_IsRefusedPolitely()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.RateLimit.StartsPerUser = 2;

        // act
        var first = await h.Engine.Commands.StartAsync("C0ONE", Some.Stranger, "one", false, EngineHarness.Reply(Some.Stranger), None);
        var second = await h.Engine.Commands.StartAsync("C0TWO", Some.Stranger, "two", false, EngineHarness.Reply(Some.Stranger), None);
        var third = await h.Engine.Commands.StartAsync("C0THREE", Some.Stranger, "three", false, EngineHarness.Reply(Some.Stranger), None);
        var someoneElse = await h.Engine.Commands.StartAsync("C0FOUR", Some.Starter, "four", false, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // assert
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.NotNull(someoneElse);
        Assert.Equal(3, (await h.Store.ListAsync(false, 10, None)).Count);
        Assert.Contains(await h.OutboxAsync(), o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("limit per person", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diagnose_OverThePerUserLimit_IsRefusedAndRecorded()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.RateLimit.DiagnosesPerUser = 1;
        var id = await StartAsync(h);

        // act
        await h.Dispatcher.OnCommandAsync(Command("diagnose", Some.Stranger), None);
        await h.IdleAsync();
        await h.Dispatcher.OnCommandAsync(Command("diagnose", Some.Stranger), None);
        await h.IdleAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.Equal(2, incident.Diagnoses.Count);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Refusal && e.Actor == Some.Stranger && e.Text.Contains("run the diagnostics", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_OutsideTheRoster_ShowsOnlyThisChannelsIncidents()
    {
        // arrange
        await using var h = new EngineHarness();
        var here = await StartAsync(h);
        var elsewhere = (await h.Engine.Commands.StartAsync(OtherChannel, Some.Approver, "private one", false, EngineHarness.Reply(Some.Approver), None))!;
        await h.IdleAsync();

        // act
        await h.Dispatcher.OnCommandAsync(Command("list", Some.Stranger), None);
        await h.Dispatcher.OnCommandAsync(Command("list", Some.Approver), None);
        await h.IdleAsync();

        // assert
        var lists = (await h.OutboxAsync()).Where(o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains(here, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lists.Count);
        Assert.DoesNotContain(elsewhere, lists[0].Message.Text, StringComparison.Ordinal);
        Assert.Contains("Only this channel's incidents", lists[0].Message.Text, StringComparison.Ordinal);
        Assert.Contains(elsewhere, lists[1].Message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_OfAnotherChannelsIncidentOutsideTheRoster_IsNotFound()
    {
        // arrange
        await using var h = new EngineHarness();
        await StartAsync(h);
        var elsewhere = (await h.Engine.Commands.StartAsync(OtherChannel, Some.Approver, "private one", false, EngineHarness.Reply(Some.Approver), None))!;
        await h.IdleAsync();

        // act
        await h.Dispatcher.OnCommandAsync(Command("report " + elsewhere, Some.Stranger), None);
        await h.IdleAsync();

        // assert
        var answer = (await h.OutboxAsync()).Last(o => o.Item.Kind == OutboxKinds.ResponseUrl).Message.Text;
        Assert.Contains("No such incident in this channel", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("private one", answer, StringComparison.Ordinal);
    }

    private static async Task<string> StartAsync(EngineHarness h)
    {
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();
        return id;
    }
}
