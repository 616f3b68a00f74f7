using System.Net;
using Cerberus.ChatOps.IntegrationTests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>
/// kill -9 of the real host process in every state of one incident, each followed by a restart on the same SQLite
/// store, with a real Patroni switchover as the approved action. Exactly one timeline increment; every outbox item
/// Sent; every post at the fake Slack exactly once.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class KillNineTests(LabFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Host_KilledInEveryState_ResumesRunsTheSwitchoverOnceAndLosesNoMessage()
    {
        // arrange
        var patroni = fixture.Patroni;
        var (leaderBefore, timelineBefore) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        await using var faults = await FaultHost.CreateAsync(fixture.Lab);
        var killedIn = new List<string>();

        async Task KillAndRestartAsync(string incidentId)
        {
            faults.Kill();
            killedIn.Add(await faults.StateAsync(incidentId) ?? "none");
            await faults.StartAsync();
        }

        // act
        // 1. Declared/Diagnosing: right after the header reached Slack.
        var id = await faults.StartIncidentAsync("kill -9 in every state");
        await KillAndRestartAsync(id);

        // 2. AwaitingDecision: the diagnostics (re-run after the restart if they were cut) are posted.
        await faults.WaitForStateAsync(id, Step, "AwaitingDecision");
        await faults.WaitForTextAsync("Diagnostics:", Step);
        await KillAndRestartAsync(id);

        // 3. AwaitingApproval: the approval card is posted.
        await faults.ProposeSwitchoverAsync(id);
        var (approveValue, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);
        await KillAndRestartAsync(id);

        // 4. Executing, mid-action: the ledger says Started (its message reached Slack) and the switchover runs.
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", approveValue, FaultHost.Approver, cardTs)));
        await faults.WaitForTextAsync(":gear: Running", Step);
        await Task.Delay(300);
        await KillAndRestartAsync(id);

        // 5. Verifying (or already Mitigated when the verification was quicker than the kill).
        await faults.WaitForTextAsync("Verifying", Step);
        await KillAndRestartAsync(id);

        // 6. Mitigated.
        await faults.WaitForStateAsync(id, Step, "Mitigated");
        await KillAndRestartAsync(id);

        // 7. Resolved.
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("resolve switchover under kill -9"));
        await faults.WaitForStateAsync(id, Step, "Resolved", "Closed");
        await KillAndRestartAsync(id);
        await faults.WaitAllSentAsync(Step);
        var (leaderAfter, timelineAfter) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));

        // assert
        Assert.Equal(["Diagnosing", "AwaitingDecision", "AwaitingApproval", "Executing"], killedIn.Take(4).Select(s => s == "Declared" ? "Diagnosing" : s));
        Assert.Contains(killedIn[4], new[] { "Verifying", "Mitigated" });
        Assert.Equal(["Mitigated", "Resolved"], killedIn.Skip(5));
        Assert.Equal(timelineBefore + 1, timelineAfter);
        Assert.NotEqual(leaderBefore, leaderAfter);
        Assert.Empty(faults.DuplicatedOutboxIds());
        var posted = faults.Slack.Messages.Where(m => m.OutboxId is not null).Select(m => m.OutboxId!).ToHashSet(StringComparer.Ordinal);
        Assert.All(await faults.OutboxIdsAsync("post", "thread"), outboxId => Assert.Contains(outboxId, posted));
        Assert.Single(faults.Slack.Messages, m => FaultHost.BlocksText(m).Contains(":gear: Running", StringComparison.Ordinal));
        Assert.Single(faults.Slack.Messages, m => m.ThreadTs is null && FaultHost.BlocksText(m).Contains(id, StringComparison.Ordinal));
        Assert.Equal("Resolved", await faults.StateAsync(id));
    }
}
