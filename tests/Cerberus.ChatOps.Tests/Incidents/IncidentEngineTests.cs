using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;
using static Cerberus.ChatOps.Tests.Support.EngineHarness;

namespace Cerberus.ChatOps.Tests.Incidents;

public sealed class IncidentEngineTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Start_NewChannel_PostsHeaderThenDiagnosesIntoTheThread()
    {
        // arrange
        await using var h = new EngineHarness();

        // act
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // assert
        Assert.Equal("INC-2026-0001", id);
        var incident = await h.IncidentAsync(id!);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
        var outbox = await h.OutboxAsync();
        Assert.Equal(OutboxKinds.Post, outbox[0].Item.Kind);
        Assert.Equal(OutboxBatch.HeaderRef, outbox[0].Item.MessageRef);
        Assert.Contains("INC-2026-0001", outbox[0].Message.Text, StringComparison.Ordinal);
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.Thread && o.Message.Text.Contains("diagnostics: PrimaryUnresponsive", StringComparison.Ordinal));
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.Update);
        var diagnosis = outbox.Single(o => o.Message.Text.Contains("diagnostics:", StringComparison.Ordinal)).Message;
        Assert.Contains(ButtonIds.Propose, diagnosis.Blocks!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SecondInSameChannel_PointsToTheOpenIncident()
    {
        // arrange
        await using var h = new EngineHarness();
        await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "first", false, EngineHarness.Reply(), None);

        // act
        var second = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Approver, "second", false, EngineHarness.Reply(Some.Approver), None);
        await h.IdleAsync();

        // assert
        Assert.Equal("INC-2026-0001", second);
        Assert.Single(await h.Store.ListAsync(false, 10, None));
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("already open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Approve_ByApprover_ExecutesOnceThenVerifies()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Approver), None);
        await h.IdleAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.Equal(IncidentState.Mitigated, incident.State);
        Assert.Equal(ActionStatus.Succeeded, incident.FindAction(actionId)!.Status);
        Assert.Equal(1, h.Action().Executions);
        Assert.Equal(1, h.Action().Verifies);
        Assert.Equal("pg2", incident.FindAction(actionId)!.Figures[ActionFigureKeys.NewLeader]);
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Message.Text.Contains("Verified", StringComparison.Ordinal) || (o.Message.Blocks?.ToJsonString().Contains("Verified", StringComparison.Ordinal) ?? false));
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.ReplaceOriginal);
    }

    [Fact]
    public async Task Approve_FiveIdenticalClicksAtOnce_ExecuteOnce()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);

        // act
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Approver), None)));
        await h.IdleAsync();

        // assert
        Assert.Equal(1, h.Action().Executions);
        var incident = await h.IncidentAsync(id);
        Assert.Single(incident.Timeline, e => e.Kind == TimelineKind.Approval);
        var outbox = await h.OutboxAsync();
        Assert.Equal(4, outbox.Count(o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("Already approved", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Approve_ByStranger_IsRefusedEphemerallyAndNothingRuns()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Stranger), None);
        await h.IdleAsync();

        // assert
        Assert.Equal(0, h.Action().Executions);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(IncidentState.AwaitingApproval, incident.State);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Refusal && e.Actor == Some.Stranger);
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Message.ResponseType == "ephemeral" && o.Message.Text.Contains("Only a member of the approver roster", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Approve_StateDriftedSinceTheCard_RunsNothingAndProposesAfresh()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);
        h.Action().Fingerprint = "leader=pg2;tl=2";

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Approver), None);
        await h.IdleAsync();

        // assert
        Assert.Equal(0, h.Action().Executions);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(ActionStatus.Refused, incident.FindAction(actionId)!.Status);
        Assert.Equal(IncidentState.AwaitingApproval, incident.State);
        Assert.Equal(2, incident.Actions.Count);
    }

    [Fact]
    public async Task Restart_AfterApprovalBeforeStart_NothingRunsAndItSaysSo()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);
        var policy = await h.Roster.PolicyAsync(None);
        await h.Mutator.MutateAsync(id, (i, _, now) => i.Approve(actionId, Some.Approver, false, policy, now), None);

        // act: the process died here; a new one resumes once the approving process's grace (one heartbeat) is over
        h.Restart();
        h.Time.Advance(h.Options.ExecutionHeartbeat);
        await h.Engine.Resumption.ResumeAsync(None);
        await h.IdleAsync();

        // assert
        Assert.Equal(0, h.Action().Executions);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(ActionStatus.Interrupted, incident.FindAction(actionId)!.Status);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
    }

    [Fact]
    public async Task Restart_MidAction_ReconcilesWithoutExecutingAgain()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);
        var policy = await h.Roster.PolicyAsync(None);
        await h.Mutator.MutateAsync(id, (i, _, now) => i.Approve(actionId, Some.Approver, false, policy, now), None);
        await h.Mutator.MutateAsync(id, (i, _, now) => i.MarkStarted(actionId, now), None);

        // act
        h.Restart();
        await h.Engine.Resumption.ResumeAsync(None);
        await h.IdleAsync();

        // assert
        Assert.Equal(0, h.Action().Executions);
        Assert.Equal(1, h.Action().Reconciles);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(ActionStatus.Succeeded, incident.FindAction(actionId)!.Status);
        Assert.Equal(IncidentState.Mitigated, incident.State);
    }

    [Fact]
    public async Task Tick_AcrossTheRto_RemindsOncePerThreshold()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "x", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();

        // act
        h.Time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await h.Engine.Resumption.TickAsync(None);
        await h.Engine.Resumption.TickAsync(None);
        h.Time.Advance(TimeSpan.FromHours(1.7));
        await h.Engine.Resumption.TickAsync(None);

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.Equal([50, 75, 90], incident.RemindersSent.Order());
        var outbox = await h.OutboxAsync();
        Assert.Single(outbox, o => o.Message.Text.Contains("50% of the 4 h RTO", StringComparison.Ordinal));
        Assert.Single(outbox, o => o.Message.Text.Contains("90% of the 4 h RTO", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tick_AfterApprovalExpiry_ExpiresTheCardAndTells()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);

        // act
        h.Time.Advance(TimeSpan.FromMinutes(16));
        await h.Engine.Resumption.TickAsync(None);
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Approver), None);
        await h.IdleAsync();

        // assert
        Assert.Equal(0, h.Action().Executions);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(ActionStatus.Expired, incident.FindAction(actionId)!.Status);
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.Thread && (o.Message.Blocks?.ToJsonString().Contains("expired", StringComparison.Ordinal) ?? false));
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Command_UnknownText_GetsTheHelpEphemerally()
    {
        // arrange
        await using var h = new EngineHarness();

        // act
        await h.Dispatcher.OnCommandAsync(Command("frobnicate"), None);

        // assert
        var outbox = await h.OutboxAsync();
        var reply = Assert.Single(outbox);
        Assert.Equal(OutboxKinds.ResponseUrl, reply.Item.Kind);
        Assert.Equal("ephemeral", reply.Message.ResponseType);
        Assert.Contains("frobnicate", reply.Message.Text, StringComparison.Ordinal);
        Assert.Contains("start [summary]", reply.Message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Button_ForUnknownIncident_IsAnsweredAndChangesNothing()
    {
        // arrange
        await using var h = new EngineHarness();

        // act
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, "INC-2099-9999", "A-deadbeef", Some.Approver), None);

        // assert
        Assert.Empty(await h.Store.ListAsync(false, 10, None));
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Message.Text.Contains("no incident INC-2099-9999", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_WhileBackendScaledDown_WarnsThenForceResolves()
    {
        // arrange
        await using var h = new EngineHarness(RemediationKind.ScaleBackendDown);
        await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "x", false, EngineHarness.Reply(), None);
        await h.IdleAsync();
        await h.Dispatcher.OnCommandAsync(Command("propose scale-down"), None);
        await h.IdleAsync();
        var id = (await h.Store.ListAsync(true, 1, None))[0].Id;
        var actionId = (await h.IncidentAsync(id)).PendingApproval!.Id;
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Approver), None);
        await h.IdleAsync();

        // act
        await h.Dispatcher.OnCommandAsync(Command("resolve the disk filled"), None);
        var afterPlain = (await h.IncidentAsync(id)).State;
        await h.Dispatcher.OnCommandAsync(Command("resolve --force the disk filled"), None);

        // assert
        Assert.Equal(IncidentState.Mitigated, afterPlain);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.Equal("the disk filled", incident.RootCause);
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Message.Text.Contains("is not undone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_AfterFailover_WritesTheDocumentPostsSummaryAndUploadsIt()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingApprovalAsync(h);
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Approve, id, actionId, Some.Approver), None);
        await h.IdleAsync();
        h.Time.Advance(TimeSpan.FromMinutes(30));

        // act
        await h.Dispatcher.OnCommandAsync(Command("resolve primary hung on a full WAL volume"), None);
        await h.IdleAsync();
        await h.Dispatcher.OnCommandAsync(Command("report"), None);

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.NotNull(incident.ReportMarkdown);
        Assert.Contains("primary hung on a full WAL volume", incident.ReportMarkdown, StringComparison.Ordinal);
        var outbox = await h.OutboxAsync();
        var file = Assert.Single(outbox, o => o.Item.Kind == OutboxKinds.File);
        Assert.Equal(incident.ReportMarkdown, file.Message.File!.Content);
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains(id, StringComparison.Ordinal) && o.Message.Blocks is not null);
    }

    [Fact]
    public async Task Report_OpenIncident_SaysWhyThereIsNone()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "x", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();

        // act
        await h.Dispatcher.OnCommandAsync(Command("report " + id), None);

        // assert
        var outbox = await h.OutboxAsync();
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.ResponseUrl && o.Message.Text.Contains("is still", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_WithIncidentChannels_OpensAChannelInvitesAndLeavesAPointer()
    {
        // arrange
        await using var h = new EngineHarness();
        var slack = new RecordingSlackApi();
        h.Slack = slack;
        h.Options.IncidentChannels.Enabled = true;
        h.Options.Contacts.PrimarySlack = "U0DBA";
        h.Restart();

        // act
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s!", false, EngineHarness.Reply(), None);
        await h.IdleAsync();
        await h.DeliverOutboxAsync();
        var second = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Approver, "again", false, EngineHarness.Reply(Some.Approver), None);

        // assert
        Assert.Equal(["inc-2026-0001-api-returns-500s"], slack.Created);
        Assert.Equal(["U0STARTER", "U0DBA"], slack.Invites.Single().Users);
        var incident = await h.IncidentAsync(id!);
        Assert.Equal("C0OWN1", incident.Channel);
        Assert.Equal(id, second);
        Assert.Contains(slack.Posts, p => p.ThreadTs is null && p.Channel == EngineHarness.Channel && p.Message.Text.Contains("<#C0OWN1>", StringComparison.Ordinal));
        var header = await h.Store.GetMessageRefAsync(id!, OutboxBatch.HeaderRef, None);
        Assert.Contains(slack.Posts, p => p.ThreadTs is null && (p.Channel, p.Ts) == header);
        Assert.Equal("C0OWN1", header?.Channel);
    }

    [Fact]
    public async Task Start_ChannelCannotBeCreated_StaysInTheThreadAndSaysWhy()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Slack = new RecordingSlackApi { FailCreateWith = "restricted_action" };
        h.Options.IncidentChannels.Enabled = true;
        h.Restart();

        // act
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "x", false, EngineHarness.Reply(), None);
        await h.DeliverOutboxAsync();

        // assert
        var incident = await h.IncidentAsync(id!);
        Assert.Equal(EngineHarness.Channel, incident.Channel);
        Assert.Contains(incident.Timeline, e => e.Text.Contains("restricted_action", StringComparison.Ordinal));
    }

    private static async Task<(string Id, string ActionId)> PendingApprovalAsync(EngineHarness h)
    {
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();
        await h.Dispatcher.OnInteractionAsync(Click(ButtonIds.Propose, id, "failover", Some.Starter), None);
        await h.IdleAsync();
        var incident = await h.IncidentAsync(id);
        return (id, incident.PendingApproval!.Id);
    }
}
