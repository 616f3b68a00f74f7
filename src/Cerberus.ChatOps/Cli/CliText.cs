using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Cli;

/// <summary>Plain text for a terminal: Block Kit messages flattened, and an incident read from the store.</summary>
internal static class CliText
{
    private const int TimelineTail = 10;

    public static string Message(SlackMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Blocks is not { Count: > 0 } blocks)
        {
            return Unescape(message.Text);
        }

        var lines = new List<string>();
        foreach (var block in blocks.OfType<JsonObject>())
        {
            switch ((string?)block["type"])
            {
                case "header":
                    lines.Add("== " + Text(block["text"]) + " ==");
                    break;
                case "section":
                    if (Text(block["text"]) is { Length: > 0 } text)
                    {
                        lines.Add(text);
                    }

                    if (block["fields"] is JsonArray fields)
                    {
                        lines.AddRange(fields.Select(f => "  " + Text(f)));
                    }

                    break;
                case "context":
                    if (block["elements"] is JsonArray elements)
                    {
                        lines.Add(string.Join("  ·  ", elements.Select(Text)));
                    }

                    break;
                case "divider":
                    lines.Add("----");
                    break;
                case "actions":
                    if (block["elements"] is JsonArray buttons)
                    {
                        lines.Add("(buttons in Slack: " + string.Join(", ", buttons.Select(b => "[" + Text(b?["text"]) + "]")) + ")");
                    }

                    break;
            }
        }

        return string.Join('\n', lines);
    }

    public static string Incident(Incident incident, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{(incident.Drill ? "[DRILL] " : string.Empty)}{incident.Id} — {incident.Summary}");
        text.AppendLine(c, $"  state:     {incident.State}  ({Unescape(IncidentMessages.StateText(incident))})");
        text.AppendLine(c, $"  channel:   {incident.Channel}   commander: {incident.Commander}   declared {incident.DeclaredAt:yyyy-MM-dd HH:mm:ss}Z by {incident.DeclaredBy}");
        text.AppendLine(c, $"  elapsed:   {Durations.Format(now - (incident.DetectedAt ?? incident.DeclaredAt))} of the 4 h RTO");
        if (incident.RootCause is not null)
        {
            text.AppendLine(c, $"  root cause: {incident.RootCause}");
        }

        if (incident.LatestDiagnosis is { } diagnosis)
        {
            text.AppendLine(c, $"Diagnosis ({diagnosis.FinishedAt:HH:mm:ss}Z, {diagnosis.Classification}): {diagnosis.Sentence}");
            foreach (var probe in diagnosis.Results)
            {
                text.AppendLine(c, $"  • {probe.Probe}: {Format.Label(probe.Status)} — {probe.Summary}");
            }
        }

        if (incident.Actions.Count > 0)
        {
            text.AppendLine("Actions (ledger):");
            foreach (var action in incident.Actions)
            {
                AppendAction(text, incident, action);
            }
        }

        if (incident.IsOpen)
        {
            text.AppendLine(c, $"Next: {Unescape(IncidentMessages.NextStep(incident))}");
        }

        var shown = Math.Min(TimelineTail, incident.Timeline.Count);
        text.AppendLine(c, $"Timeline (last {shown} of {incident.Timeline.Count}):");
        foreach (var entry in incident.Timeline.TakeLast(TimelineTail))
        {
            text.AppendLine(c, $"  {entry.At:HH:mm:ss}Z {entry.Kind,-14} {entry.Actor}: {Indent(entry.Text)}{(entry.ActionId is null ? string.Empty : $" [{entry.ActionId}]")}");
        }

        return text.ToString().TrimEnd();
    }

    private static void AppendAction(StringBuilder text, Incident incident, ActionRecord action)
    {
        var c = CultureInfo.InvariantCulture;
        var decided = action.DecidedBy is null ? string.Empty : $", decided by {action.DecidedBy}";
        text.AppendLine(c, $"  {action.Id}  {action.Kind}{(action.DryRun ? " (dry run)" : string.Empty)} on {action.Target} — {action.Status}, proposed by {action.ProposedBy}{decided}");
        text.AppendLine(c, $"      will run: {action.Description}");
        text.AppendLine(c, $"      based on: {action.BasedOn}");
        if (action.RiskWarning is not null)
        {
            text.AppendLine(c, $"      risk:     {action.RiskWarning}  (approve with --accept-risk)");
        }

        if (action.Outcome is not null)
        {
            text.AppendLine(c, $"      outcome:  {Indent(action.Outcome)}");
        }

        if (action.Status == ActionStatus.Proposed)
        {
            text.AppendLine(c, $"      expires {action.ExpiresAt:HH:mm:ss}Z — approve: incident approve {incident.Id} {action.Id}{(action.RiskWarning is null ? string.Empty : " --accept-risk")}   reject: incident reject {incident.Id} {action.Id}");
        }
    }

    private static string Indent(string text) => text.Replace("\n", "\n                ", StringComparison.Ordinal);

    private static string Text(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonObject o when o["text"] is JsonValue v => Unescape((string?)v ?? string.Empty),
        JsonObject o => Text(o["text"]),
        JsonValue v => Unescape((string?)v ?? string.Empty),
        _ => string.Empty,
    };

    /// <summary>Our texts are escaped for mrkdwn; a terminal wants them back.</summary>
    public static string Unescape(string text) =>
        (text ?? string.Empty).Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
}
