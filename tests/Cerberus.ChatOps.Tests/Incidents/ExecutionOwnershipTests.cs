using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Incidents;

/// <summary>Who runs an action: the execution lease, its heartbeat, and the hand-over on a graceful stop.</summary>
public sealed class ExecutionOwnershipTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Resume_WhileAnotherLiveProcessHoldsTheExecution_LeavesItUntilTheHeartbeatLapses()
    {
        // arrange: a Started action whose owner (another replica) still beats
        await using var h = new EngineHarness();
        h.Options.ExecutionHeartbeat = TimeSpan.FromSeconds(1);
        var (id, actionId) = await StartedByAnotherProcessAsync(h);
        Assert.True(await h.Store.TryAcquireAsync(ExecutionLease.Name(id), "replica-b", h.Options.ExecutionHeartbeat, None));

        // act
        await h.Engine.Resumption.ResumeAsync(None);
        await h.Engine.Resumption.TickAsync(None);
        await h.IdleAsync();
        var whileAlive = h.Action().Reconciles;
        await Eventually.Async( // the store's own (real) clock judges the lapse: the timers run until it has
            async () =>
            {
                await h.Engine.Resumption.TickAsync(None);
                await h.IdleAsync();
                return h.Action().Reconciles;
            },
            reconciles => reconciles > 0,
            TimeSpan.FromSeconds(1.5),
            "the action was not reconciled once the heartbeat lapsed");

        // assert
        Assert.Equal(0, whileAlive);
        Assert.Equal(1, h.Action().Reconciles);
        Assert.Equal(0, h.Action().Executions);
        Assert.Equal(ActionStatus.Succeeded, (await h.IncidentAsync(id)).FindAction(actionId)!.Status);
    }

    [Fact]
    public async Task Approve_RecordsTheOwnerAndReleasesTheLeaseWhenDone()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingAsync(h);

        // act
        await h.Engine.Approvals.ApproveAsync(id, actionId, Some.Approver, false, EngineHarness.Reply(Some.Approver), None);
        await h.IdleAsync();

        // assert
        var action = (await h.IncidentAsync(id)).FindAction(actionId)!;
        Assert.Equal(ActionStatus.Succeeded, action.Status);
        Assert.False(string.IsNullOrEmpty(action.ExecutionOwner));
        Assert.True(await h.Store.TryAcquireAsync(ExecutionLease.Name(id), "someone-else", TimeSpan.FromSeconds(1), None));
    }

    [Fact]
    public async Task GracefulStop_MidAction_SaysSoAndTheNextProcessContinuesAtOnce()
    {
        // arrange: the action blocks mid-run
        await using var h = new EngineHarness();
        var (id, actionId) = await PendingAsync(h);
        h.Action().Gate = new TaskCompletionSource();
        await h.Engine.Approvals.ApproveAsync(id, actionId, Some.Approver, false, EngineHarness.Reply(Some.Approver), None);
        await WaitForAsync(async () => (await h.IncidentAsync(id)).FindAction(actionId)!.Status == ActionStatus.Started);

        // act: SIGTERM (rolling update), then the new process's timers run without waiting for any lapse
        h.StopGracefully();
        await h.IdleAsync();
        var stopped = await h.IncidentAsync(id);
        h.Action().Gate = null;
        h.Restart();
        await h.Engine.Resumption.TickAsync(None);
        await h.IdleAsync();

        // assert
        Assert.Equal(ActionStatus.Started, stopped.FindAction(actionId)!.Status);
        Assert.Contains(stopped.Timeline, e => e.Text.Contains("stopped at a safe point", StringComparison.Ordinal));
        Assert.Equal(1, h.Action().Executions);
        Assert.Equal(1, h.Action().Reconciles);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(ActionStatus.Succeeded, incident.FindAction(actionId)!.Status);
        Assert.Equal(IncidentState.Mitigated, incident.State);
    }

    private static async Task<(string Id, string ActionId)> PendingAsync(EngineHarness h)
    {
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();
        await h.Engine.Proposer.ProposeAsync(id, Some.Starter, RemediationKind.Failover, new Dictionary<string, string>(), false, EngineHarness.Reply(), None);
        return (id, (await h.IncidentAsync(id)).PendingApproval!.Id);
    }

    private static async Task<(string Id, string ActionId)> StartedByAnotherProcessAsync(EngineHarness h)
    {
        var (id, actionId) = await PendingAsync(h);
        var policy = await h.Roster.PolicyAsync(None);
        await h.Mutator.MutateAsync(id, (i, _, now) => i.Approve(actionId, Some.Approver, false, policy, now), None);
        await h.Mutator.MutateAsync(id, (i, _, now) => i.MarkStarted(actionId, now, "replica-b"), None);
        return (id, actionId);
    }

    private static Task WaitForAsync(Func<Task<bool>> condition) =>
        Eventually.Async(condition, TimeSpan.FromSeconds(5), "the condition did not hold within 5 s", TimeSpan.FromMilliseconds(25));
}
