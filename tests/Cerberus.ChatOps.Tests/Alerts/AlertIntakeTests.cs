using Cerberus.ChatOps.Alerts;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Alerts;

/// <summary>From the inbox to the incident: declare with diagnostics at once, attach by group, note a resolution, never resolve.</summary>
public sealed class AlertIntakeTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Dispatch_FiringWithNothingOpen_DeclaresInTheAlertsChannelAndDiagnosesAtOnce()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Time.SetUtcNow(AlertmanagerPayloads.StartsAt.AddMinutes(2));

        // act
        await DispatchAsync(h, AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1")));
        await h.IdleAsync();

        // assert
        var incident = await h.Store.FindOpenInChannelAsync(EngineHarness.AlertsChannel, None);
        Assert.NotNull(incident);
        Assert.Equal("[alert] PostgresPrimaryDown: the primary does not answer", incident.Summary);
        Assert.Equal(Incident.AlertmanagerActor, incident.DeclaredBy);
        Assert.Equal(AlertmanagerPayloads.StartsAt, incident.DetectedAt);
        Assert.Equal(AlertmanagerPayloads.GroupKey, incident.AlertGroupKey);
        Assert.Equal("f1", Assert.Single(incident.Alerts).Fingerprint);
        Assert.Equal(1, h.Diagnostics.Runs);
        Assert.NotNull(incident.LatestDiagnosis);
        Assert.Contains(incident.Timeline, e => e.Kind == TimelineKind.Alert && e.Text.StartsWith("alert firing: PostgresPrimaryDown — the primary does not answer", StringComparison.Ordinal));
        var messages = await h.OutboxAsync();
        Assert.Contains(messages, m => m.Message.Text.Contains("Declared from Alertmanager (receiver `cerberus`)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispatch_SecondAlertOfTheGroupThenResolved_AttachedToTheSameIncidentWhichStaysOpen()
    {
        // arrange
        await using var h = new EngineHarness();
        await DispatchAsync(h, AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1")));
        await h.IdleAsync();

        // act
        await DispatchAsync(h, AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1"), AlertmanagerPayloads.Alert("f2", name: "PostgresReplicationLag", summary: "replica lags 2 GiB")));
        await DispatchAsync(h, AlertmanagerPayloads.Notification("resolved",
            AlertmanagerPayloads.Alert("f1", "resolved", endsAt: "2026-12-04T03:10:00Z"), AlertmanagerPayloads.Alert("f2", "resolved", endsAt: "2026-12-04T03:10:00Z")));
        await h.IdleAsync();

        // assert
        var open = await h.Store.ListAsync(openOnly: true, 10, None);
        var incident = await h.IncidentAsync(Assert.Single(open).Id);
        Assert.Equal(["f1", "f2"], incident.Alerts.Select(a => a.Fingerprint));
        Assert.All(incident.Alerts, a => Assert.Equal(IncidentAlert.Resolved, a.Status));
        Assert.NotEqual(IncidentState.Resolved, incident.State);
        Assert.Equal(2, incident.Timeline.Count(e => e.Kind == TimelineKind.Alert && e.Text.StartsWith("alert resolved:", StringComparison.Ordinal)));
        var messages = await h.OutboxAsync();
        Assert.Contains(messages, m => m.Message.Text.Contains("*PostgresReplicationLag* firing since", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Message.Text.Contains("The incident stays open: resolve it with `/dbincident resolve <root cause>`", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispatch_ResolvedWithNothingOpen_DeclaresNothing()
    {
        // arrange
        await using var h = new EngineHarness();

        // act
        await DispatchAsync(h, AlertmanagerPayloads.Notification("resolved", AlertmanagerPayloads.Alert("f1", "resolved", endsAt: "2026-12-04T03:10:00Z")));
        await h.IdleAsync();

        // assert
        Assert.Empty(await h.Store.ListAsync(openOnly: false, 10, None));
    }

    [Fact]
    public async Task Dispatch_AnotherGroupWhileAnIncidentIsOpenInTheAlertsChannel_JoinsThatIncident()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await h.Engine.Commands.StartAsync(EngineHarness.AlertsChannel, Some.Starter, "disk filling", false, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // act
        await DispatchAsync(h, AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f9", name: "PostgresDiskFull", summary: "92 % used")));
        await h.IdleAsync();

        // assert
        Assert.Single(await h.Store.ListAsync(openOnly: false, 10, None));
        var incident = await h.IncidentAsync(id!);
        Assert.Equal("f9", Assert.Single(incident.Alerts).Fingerprint);
        Assert.Equal(Some.Starter, incident.Commander);
    }

    [Fact]
    public async Task Dispatch_FiringWhileADrillIsOpenInTheAlertsChannel_TheDrillsThreadSaysTheAlertIsReal()
    {
        // arrange
        await using var h = new EngineHarness();
        var id = await h.Engine.Commands.StartAsync(EngineHarness.AlertsChannel, Some.Starter, "disk-full", true, EngineHarness.Reply(), None);
        await h.IdleAsync();

        // act
        await DispatchAsync(h, AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1")));
        await h.IdleAsync();

        // assert
        Assert.Single(await h.Store.ListAsync(openOnly: false, 10, None));
        Assert.True((await h.IncidentAsync(id!)).Drill);
        var messages = await h.OutboxAsync();
        Assert.Contains(messages, m => m.Message.Text.Contains("*This incident is a DRILL, but the alert below is real.* Cancel the drill", StringComparison.Ordinal));
    }

    private static async Task DispatchAsync(EngineHarness h, string json)
    {
        var (batch, problem) = AlertmanagerParser.Parse(AlertmanagerPayloads.Bytes(json));
        Assert.Null(problem);
        await h.Dispatcher.DispatchAsync(new InboundItem
        {
            Key = batch!.DedupeKey,
            Kind = InboundKinds.Alert,
            Payload = System.Text.Json.JsonSerializer.Serialize(batch, AlertIntakeJson.Options),
            ReceivedAt = h.Time.GetUtcNow(),
        }, None);
    }
}
