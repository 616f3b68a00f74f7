using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// Builds the post-incident document from what the incident recorded: a pure function of the incident, the
/// integrity check a collector supplies, and the generation time (no clock is read here).
/// </summary>
public static class PostIncidentReportBuilder
{
    private static readonly ActionStatus[] Ran = [ActionStatus.Approved, ActionStatus.Started, ActionStatus.Succeeded, ActionStatus.Failed];

    /// <summary>Builds the report of a resolved (or closed) incident.</summary>
    /// <param name="incident">The incident, resolved or closed.</param>
    /// <param name="integrity">The pg_stat_user_tables check (see the collector); null when none ran.</param>
    /// <param name="generatedAt">When the document is written (UTC).</param>
    /// <param name="auditTable">The audit table the clean-up works on (configurable; "audit.logs" by default).</param>
    /// <exception cref="InvalidOperationException">The incident is open or cancelled (<see cref="ReportEligibility.WhyNot(Incident)"/> says why).</exception>
    public static PostIncidentReport Build(Incident incident, TableHealth? integrity, DateTimeOffset generatedAt, string auditTable = ReportFindings.DefaultAuditTable)
    {
        ArgumentNullException.ThrowIfNull(incident);
        if (ReportEligibility.WhyNot(incident) is { } why)
        {
            throw new InvalidOperationException(why);
        }

        var resolved = incident.ResolvedAt!.Value;
        var detected = incident.DetectedAt is { } d && d < incident.DeclaredAt ? d : incident.DeclaredAt;
        var times = new ReportTimes(detected, incident.DeclaredAt, incident.MitigatedAt, resolved);
        var recoveryTime = RecoveryTimeVerdict.Of(times.TimeToRecovery, Incident.RecoveryTimeObjective);
        var dataLoss = DataLossCalculator.Estimate(incident.Actions, Incident.RecoveryPointObjective);
        var rootCause = RootCause(incident);
        var logErrors = LogErrorSignatures.Collect(incident.Diagnoses);
        var findings = ReportFindings.From(incident, integrity, logErrors, auditTable);
        var first = incident.Diagnoses.Count == 0 ? null : incident.Diagnoses[0];
        var last = incident.Diagnoses.Count > 1 ? incident.Diagnoses[^1] : null;

        return new PostIncidentReport
        {
            IncidentId = incident.Id,
            Title = ReportFormat.PlainText(incident.Summary),
            Severity = incident.Severity,
            Commander = incident.Commander,
            DeclaredBy = incident.DeclaredBy,
            Channel = incident.Channel,
            Drill = incident.Drill,
            LiveDrill = incident.LiveDrill,
            IsLiveDrill = incident.IsLiveDrill,
            State = incident.State,
            GeneratedAt = generatedAt,
            Times = times,
            RecoveryTime = recoveryTime,
            DataLoss = dataLoss,
            RootCause = rootCause,
            Timeline = incident.Timeline
                .OrderBy(e => e.At)
                .Select(e => new ReportTimelineRow(e.At, e.Kind, e.Actor, ReportFormat.PlainText(e.Text), e.ActionId))
                .ToList(),
            RefusedAttempts = incident.Timeline
                .Where(e => e.Kind == TimelineKind.Refusal && !string.Equals(e.Actor, Incident.BotActor, StringComparison.Ordinal))
                .OrderBy(e => e.At)
                .Select(e => new ReportTimelineRow(e.At, e.Kind, e.Actor, ReportFormat.PlainText(e.Text), e.ActionId))
                .ToList(),
            ActionsTaken = incident.Actions.Where(a => Ran.Contains(a.Status)).OrderBy(a => a.ProposedAt).Select(Row).ToList(),
            ActionsNotRun = incident.Actions.Where(a => !Ran.Contains(a.Status)).OrderBy(a => a.ProposedAt).Select(Row).ToList(),
            FiguresBeforeAt = first?.StartedAt,
            FiguresAfterAt = last?.StartedAt,
            Figures = DiagnosticFigures.Compare(first, last),
            Integrity = integrity is null ? null : integrity with { Problem = integrity.Problem is null ? null : ReportFormat.PlainText(integrity.Problem) },
            StatisticsReset = dataLoss.FailoverHappened,
            LogErrors = logErrors,
            PreventiveMeasures = PreventiveMeasureRules.Derive(findings, dataLoss, recoveryTime),
            FollowUps = FollowUpRules.Derive(incident, dataLoss, recoveryTime, rootCause, integrity),
        };
    }

    private static RootCauseFinding RootCause(Incident incident)
    {
        if (!string.IsNullOrWhiteSpace(incident.RootCause))
        {
            return new(ReportFormat.PlainText(incident.RootCause), false, incident.Classification);
        }

        return incident.LatestDiagnosis is { } diagnosis
            ? new($"{diagnosis.Classification}: {ReportFormat.PlainText(diagnosis.Sentence)}", true, diagnosis.Classification)
            : new("not recorded: nobody gave a root cause and no diagnosis ran.", false, null);
    }

    private static ReportActionRow Row(ActionRecord a) => new(
        a.Id,
        a.Kind,
        ReportFormat.PlainText(a.Target),
        a.ProposedBy,
        a.ProposedAt,
        a.DecidedBy,
        a.DecidedAt,
        a.StartedAt,
        a.FinishedAt,
        a.Status,
        ReportFormat.PlainText(a.Outcome ?? string.Empty),
        a.DryRun,
        a.NeedsUndo);
}
