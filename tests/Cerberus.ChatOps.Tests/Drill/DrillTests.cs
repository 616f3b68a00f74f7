using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Drill;

public sealed class DrillTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("primary-unresponsive", Classification.PrimaryUnresponsive, RemediationKind.Failover)]
    [InlineData("disk-full", Classification.DiskFull, RemediationKind.AuditLogCleanup)]
    [InlineData("connection-exhaustion", Classification.ConnectionExhaustion, RemediationKind.ScaleBackendDown)]
    public async Task Drill_Scenario_RunsAWholeIncidentAgainstTheSimulatedBackend(string scenario, Classification expected, RemediationKind remedy)
    {
        // arrange
        await using var h = new EngineHarness();

        // act
        await h.Dispatcher.OnCommandAsync(Command($"drill {scenario}"), None);
        await h.IdleAsync();
        var id = (await h.Store.ListAsync(false, 10, None)).Single().Id;
        var diagnosed = await h.IncidentAsync(id);
        await h.Engine.Proposer.ProposeAsync(id, Some.Starter, remedy, new Dictionary<string, string>(), dryRun: false, EngineHarness.Reply(), None);
        var actionId = (await h.IncidentAsync(id)).Actions.Single().Id;
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.Engine.Approvals.ApproveAsync(id, actionId, Some.Approver, riskAccepted: false, EngineHarness.Reply(Some.Approver), None);
        await h.IdleAsync();
        var mitigated = await h.IncidentAsync(id);
        foreach (var undo in mitigated.OutstandingUndo.Select(a => a.UndoKind!.Value).ToList())
        {
            // The runbook's other half: the backend scaled down is scaled back up before the incident is resolved.
            await h.Engine.Proposer.ProposeAsync(id, Some.Starter, undo, new Dictionary<string, string>(), dryRun: false, EngineHarness.Reply(), None);
            var undoId = (await h.IncidentAsync(id)).Actions[^1].Id;
            await h.Engine.Approvals.ApproveAsync(id, undoId, Some.Approver, riskAccepted: false, EngineHarness.Reply(Some.Approver), None);
            await h.IdleAsync();
        }

        h.Time.Advance(TimeSpan.FromMinutes(23));
        await h.Engine.Commands.ResolveAsync(EngineHarness.Channel, Some.Starter, $"drill: {scenario}", force: false, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.True(incident.Drill);
        Assert.Equal(scenario, incident.Summary);
        Assert.Equal(expected, diagnosed.LatestDiagnosis!.Classification);
        Assert.Contains(remedy, diagnosed.LatestDiagnosis.Recommended);
        Assert.All(diagnosed.LatestDiagnosis.Results, r => Assert.StartsWith("[simulated]", r.Summary, StringComparison.Ordinal));
        Assert.Equal(IncidentState.Mitigated, mitigated.State);
        Assert.Equal(ActionStatus.Succeeded, mitigated.FindAction(actionId)!.Status);
        Assert.Equal(Classification.Healthy, mitigated.LatestDiagnosis!.Classification);
        Assert.Equal(0, h.Diagnostics.Runs);
        Assert.All(h.Actions, a => Assert.Equal(0, a.Executions));
        Assert.Equal(IncidentState.Resolved, incident.State);
        var report = incident.ReportMarkdown;
        Assert.NotNull(report);
        Assert.StartsWith($"# [DRILL] {id}", report, StringComparison.Ordinal);
        Assert.Contains("Time to recovery 25 min", report, StringComparison.Ordinal);
        Assert.Contains("## Recovery time (RTO)", report, StringComparison.Ordinal);
        var outbox = await h.OutboxAsync();
        Assert.Contains("[DRILL]", outbox.First(o => o.Item.Kind == OutboxKinds.Post).Message.Text, StringComparison.Ordinal);
        Assert.Contains(outbox, o => o.Item.Kind == OutboxKinds.File);
    }

    [Fact]
    public async Task Start_RealIncident_DoesNotUseTheDrillBackend()
    {
        // arrange
        await using var h = new EngineHarness();

        // act
        await h.Dispatcher.OnCommandAsync(Command("start API returns 500s"), None);
        await h.IdleAsync();

        // assert
        var incident = (await h.Store.ListAsync(false, 10, None)).Single();
        Assert.False((await h.IncidentAsync(incident.Id)).Drill);
        Assert.Equal(1, h.Diagnostics.Runs);
    }

    [Theory]
    [InlineData("drill disk-full", IncidentCommandKind.Drill, "disk-full")]
    [InlineData("drill  Primary-Unresponsive ", IncidentCommandKind.Drill, "primary-unresponsive")]
    [InlineData("drill", IncidentCommandKind.Help, "")]
    [InlineData("drill meteor-strike", IncidentCommandKind.Help, "")]
    public void Parse_Drill_NamesAKnownScenarioOrShowsHelp(string text, IncidentCommandKind kind, string argument)
    {
        // arrange
        // act
        var command = IncidentCommandParser.Parse(text);

        // assert
        Assert.Equal(kind, command.Kind);
        Assert.Equal(argument, command.Argument);
        if (kind == IncidentCommandKind.Help)
        {
            Assert.Contains("connection-exhaustion", command.Problem, StringComparison.Ordinal);
        }
    }

    private static SlashCommand Command(string text) =>
        new("T0", EngineHarness.Channel, "incident", Some.Starter, "starter", "/dbincident", text, $"https://hooks.slack.com/commands/T0/1/{Guid.NewGuid():N}", Guid.NewGuid().ToString("N"));
}
