using Cerberus.ChatOps.Alerts;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// An Alertmanager notification from the inbox: its alerts go to the open incident of the same group, else to the
/// open incident of the alerts channel; with neither and an alert firing it declares one there (and its diagnostics
/// start at once, so the findings wait for the human). A resolved alert is noted in the thread and the timeline and
/// never resolves the incident. Declaring from an alert is rate-limited like any declarer ("alertmanager").
/// </summary>
internal sealed partial class AlertIntake(
    IncidentCommands commands,
    IncidentMutator mutator,
    IIncidentStore store,
    IOptionsMonitor<AlertsOptions> options,
    ILogger<AlertIntake> logger)
{
    /// <summary>Open incidents looked at for the same alert group.</summary>
    private const int OpenIncidentsScanned = 50;

    public async Task HandleAsync(AlertBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var channel = options.CurrentValue.Channel;
        if (string.IsNullOrEmpty(channel))
        {
            Log.NoChannel(logger, batch.GroupKey);
            return;
        }

        var target = await FindAsync(batch.GroupKey, channel, cancellationToken);
        if (target is null && batch.AnyFiring)
        {
            var declared = false;
            var sink = new LogSink(logger);
            var id = await commands.StartAsync(channel, Incident.AlertmanagerActor, "[alert] " + batch.Summary, drill: false,
                new ReplyTarget(channel, Incident.AlertmanagerActor, null, sink), cancellationToken,
                prepare: (incident, outbox, now) =>
                {
                    declared = true;
                    Attach(incident, outbox, batch, now, declaring: true);
                },
                commandText: $"Alertmanager notification (receiver {batch.Receiver}, group {batch.GroupKey})");
            if (declared || id is null)
            {
                Log.Declared(logger, id ?? "(refused)", batch.GroupKey, batch.Alerts.Count);
                return;
            }

            // Someone declared in that channel a moment ago: the alerts join that incident.
            target = id;
        }

        if (target is null)
        {
            Log.NothingOpen(logger, batch.GroupKey, batch.Status);
            return;
        }

        var outcome = await mutator.MutateAsync(target, (incident, outbox, now) =>
        {
            Attach(incident, outbox, batch, now, declaring: false);
            return DomainResult.Ok();
        }, cancellationToken);
        Log.Attached(logger, target, batch.GroupKey, batch.Status, outcome.Result.Succeeded);
    }

    /// <summary>Records each alert that is new or changed, with one thread message for them.</summary>
    private static void Attach(Incident incident, OutboxBatch outbox, AlertBatch batch, DateTimeOffset now, bool declaring)
    {
        var changed = batch.Alerts.Where(a => incident.RecordAlert(a, now)).ToList();
        if (changed.Count == 0 && !declaring)
        {
            return;
        }

        var lines = new List<string>();
        if (incident.Drill)
        {
            // The channel's open incident is a drill (simulated backends): the alert is real, so say so loudly.
            lines.Add(":warning: *This incident is a DRILL, but the alert below is real.* Cancel the drill (`/dbincident cancel`); the next notification of this group then declares a real incident.");
        }

        if (declaring)
        {
            lines.Add($":rotating_light: Declared from Alertmanager (receiver `{Format.Safe(batch.Receiver)}`). Diagnostics are running; a roster member takes command with `/dbincident ic @me`.");
        }

        foreach (var alert in changed.Take(10))
        {
            var link = alert.GeneratorUrl is { } url ? $" <{url}|source>" : string.Empty;
            lines.Add(alert.IsFiring
                ? $":red_circle: *{Format.Safe(alert.Name)}* firing since {alert.StartsAt:HH:mm} UTC — {Format.Safe(alert.Summary)}{link}"
                : $":large_green_circle: *{Format.Safe(alert.Name)}* resolved{(alert.EndsAt is { } end ? $" at {end:HH:mm} UTC" : string.Empty)} — {Format.Safe(alert.Summary)}. The incident stays open: resolve it with `/dbincident resolve <root cause>` when the work is done.");
        }

        if (changed.Count > 10)
        {
            lines.Add($"… and {changed.Count - 10} more alert(s) of this group changed.");
        }

        if (batch.TruncatedAlerts > 0)
        {
            lines.Add($"Alertmanager left out {batch.TruncatedAlerts} alert(s) of this group (max_alerts).");
        }

        outbox.Thread(IncidentMessages.Text(string.Join("\n", lines)));
    }

    private async Task<string?> FindAsync(string groupKey, string channel, CancellationToken cancellationToken)
    {
        foreach (var summary in await store.ListAsync(openOnly: true, OpenIncidentsScanned, cancellationToken))
        {
            if (!summary.Drill && await store.GetAsync(summary.Id, cancellationToken) is { AlertGroupKey: { } key } incident
                && string.Equals(key, groupKey, StringComparison.Ordinal))
            {
                return incident.Id;
            }
        }

        return await store.FindOpenInChannelAsync(channel, cancellationToken) is { Drill: false } open ? open.Id : null;
    }

    /// <summary>The engine's private answers to Alertmanager (a refusal such as the rate limit) go to the log.</summary>
    private sealed class LogSink(ILogger logger) : IReplySink
    {
        public void Deliver(SlackMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            Log.Answer(logger, message.Text ?? string.Empty);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7301, Level = LogLevel.Warning, Message = "Alertmanager notification {GroupKey} dropped: no Cerberus__Alerts__Channel is configured")]
        public static partial void NoChannel(ILogger logger, string groupKey);

        [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Incident {IncidentId} declared from Alertmanager group {GroupKey} ({Count} alert(s))")]
        public static partial void Declared(ILogger logger, string incidentId, string groupKey, int count);

        [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "Alertmanager group {GroupKey} ({Status}) attached to incident {IncidentId}: {Succeeded}")]
        public static partial void Attached(ILogger logger, string incidentId, string groupKey, string status, bool succeeded);

        [LoggerMessage(EventId = 7304, Level = LogLevel.Information, Message = "Alertmanager group {GroupKey} ({Status}): no open incident and nothing firing; nothing to do")]
        public static partial void NothingOpen(ILogger logger, string groupKey, string status);

        [LoggerMessage(EventId = 7305, Level = LogLevel.Warning, Message = "Answer to Alertmanager: {Text}")]
        public static partial void Answer(ILogger logger, string text);
    }
}
