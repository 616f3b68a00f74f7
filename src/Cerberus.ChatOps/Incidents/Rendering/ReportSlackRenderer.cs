using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Slack.BlockKit;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Incidents.Rendering;

/// <summary>
/// The post-incident summary for the incident thread (Block Kit), and the full Markdown document as a file to
/// upload beside it (<see cref="OutboxKinds.File"/>). All user and database text is escaped.
/// </summary>
internal static class ReportSlackRenderer
{
    /// <summary>The Block Kit summary: header, the four key fields, people, and the milestones in a context line.</summary>
    /// <param name="report">The built report.</param>
    /// <param name="reportPath">Where the bot serves the document (e.g. <c>/incidents/INC-2026-0001/report.md</c>), if any.</param>
    public static SlackMessage Summary(PostIncidentReport report, string? reportPath = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var drill = report.Drill ? "[DRILL] " : string.Empty;
        var rto = report.RecoveryTime;
        var rpo = report.DataLoss;
        var taken = report.ActionsTaken.Count(a => !a.DryRun);
        var dryRuns = report.ActionsTaken.Count(a => a.DryRun);
        var builder = new MessageBuilder()
            .Add(Blocks.Header($"{drill}{report.IncidentId} resolved — post-incident summary"))
            .Add(Blocks.Section($"*{SlackText.Escape(report.Title)}* · {ReportFormat.Severity(report.Severity)} · commander {Mention(report.Commander)}"))
            .Add(Blocks.Fields(
            [
                $"*Time to recovery*\n{Verdict(rto.Verdict)} {Durations.Format(rto.TimeToRecovery)} — {rto.Sentence}",
                $"*Data loss*\n{Verdict(rpo.Verdict)} {SlackText.Escape(rpo.Amount)} — {rpo.Sentence}",
                $"*Root cause*\n{SlackText.Escape(report.RootCause.Display)}",
                $"*Actions*\n{taken} taken{(dryRuns > 0 ? $", {dryRuns} dry run" : string.Empty)}, {report.ActionsNotRun.Count} not run",
            ]))
            .Add(Blocks.Context(
                $"Detected {ReportFormat.Time(report.Times.Detected)} · declared {ReportFormat.Time(report.Times.Declared)} · " +
                $"mitigated {ReportFormat.Time(report.Times.Mitigated)} · resolved {ReportFormat.Time(report.Times.Resolved)}",
                $"{report.FollowUps.Count} follow-ups · {report.PreventiveMeasures.Count(m => !m.FromRunbook)} preventive measures from this incident · " +
                (reportPath is null ? "the full document is attached in this thread" : $"full document attached, also at `{SlackText.Escape(reportPath)}`")));
        var fallback = $"{drill}{report.IncidentId} resolved — time to recovery {Durations.Format(rto.TimeToRecovery)} ({rto.Sentence}), data loss {rpo.Amount} ({rpo.Sentence})";
        return builder.Build(fallback);
    }

    /// <summary>The full document as a file for the upload flow (files.getUploadURLExternal).</summary>
    public static SlackMessage Document(PostIncidentReport report, string markdown)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(markdown);
        return new SlackMessage
        {
            Text = $"{report.IncidentId} post-incident report",
            File = new SlackFile(FileName(report.IncidentId), $"{(report.Drill ? "[DRILL] " : string.Empty)}{report.IncidentId} post-incident report", markdown),
        };
    }

    public static string FileName(string incidentId) => $"{incidentId}-post-incident-report.md";

    /// <summary>A Slack user as a mention, the bot and anything else as escaped text.</summary>
    public static string Mention(string? actor) =>
        string.IsNullOrWhiteSpace(actor) ? "—"
        : ReportFormat.IsSlackUser(actor) ? $"<@{actor}>"
        : SlackText.Escape(actor);

    private static string Verdict(ObjectiveVerdict verdict) => verdict switch
    {
        ObjectiveVerdict.Met => ":white_check_mark:",
        ObjectiveVerdict.Missed => ":x:",
        _ => ":grey_question:",
    };
}
