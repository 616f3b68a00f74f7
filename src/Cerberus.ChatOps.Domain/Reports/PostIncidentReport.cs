using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// The post-incident document as data: every figure computed from what the incident recorded. Built by
/// <see cref="PostIncidentReportBuilder.Build"/>; rendered by <see cref="ToMarkdown"/> (and by the Block Kit summary).
/// All free text in it is already redacted.
/// </summary>
public sealed record PostIncidentReport
{
    public required string IncidentId { get; init; }

    /// <summary>The incident's summary line, e.g. "Database outage".</summary>
    public required string Title { get; init; }

    public required Severity Severity { get; init; }
    public required string Commander { get; init; }
    public required string DeclaredBy { get; init; }
    public required string Channel { get; init; }
    public required bool Drill { get; init; }

    /// <summary>A live drill's measurements (a real incident on a fault injected on purpose); null otherwise.</summary>
    public LiveDrillResult? LiveDrill { get; init; }

    /// <summary>The incident was a live drill (its summary says so), measured or not.</summary>
    public bool IsLiveDrill { get; init; }
    public required IncidentState State { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required ReportTimes Times { get; init; }
    public required RecoveryTimeVerdict RecoveryTime { get; init; }
    public required DataLossEstimate DataLoss { get; init; }
    public required RootCauseFinding RootCause { get; init; }

    /// <summary>The timeline sorted by time (stable for equal times).</summary>
    public required IReadOnlyList<ReportTimelineRow> Timeline { get; init; }

    /// <summary>Attempts the bot refused (who, what, when): outside the roster, the two-person rule, rate limits.</summary>
    public IReadOnlyList<ReportTimelineRow> RefusedAttempts { get; init; } = [];

    /// <summary>Actions that were approved and ran (or started), dry runs included and marked.</summary>
    public required IReadOnlyList<ReportActionRow> ActionsTaken { get; init; }

    /// <summary>Actions that never ran: rejected, expired, refused for drift, superseded, interrupted.</summary>
    public required IReadOnlyList<ReportActionRow> ActionsNotRun { get; init; }

    /// <summary>When the first diagnosis ran (the "before" figures); null when none ran.</summary>
    public DateTimeOffset? FiguresBeforeAt { get; init; }

    /// <summary>When the last diagnosis ran (the "after" figures); null when only one (or none) ran.</summary>
    public DateTimeOffset? FiguresAfterAt { get; init; }

    public required IReadOnlyList<FigureComparison> Figures { get; init; }

    /// <summary>The pg_stat_user_tables check; null when no collector ran.</summary>
    public TableHealth? Integrity { get; init; }

    /// <summary>True when a promotion happened: the statistics were reset and must not be read as "no bloat".</summary>
    public required bool StatisticsReset { get; init; }

    public required IReadOnlyList<LogErrorRow> LogErrors { get; init; }
    public required IReadOnlyList<PreventiveMeasure> PreventiveMeasures { get; init; }
    public required IReadOnlyList<string> FollowUps { get; init; }

    /// <summary>The full Markdown document (what is uploaded, stored and served at <c>/incidents/{id}/report.md</c>).</summary>
    public string ToMarkdown() => PostIncidentReportMarkdown.Render(this);
}
