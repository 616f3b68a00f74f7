using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>One line of the report's timeline; <paramref name="Text"/> is already free of secrets.</summary>
public sealed record ReportTimelineRow(DateTimeOffset At, TimelineKind Kind, string Actor, string Text, string? ActionId);
