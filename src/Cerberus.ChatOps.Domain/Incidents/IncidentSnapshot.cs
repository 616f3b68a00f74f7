using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// The persisted form of an <see cref="Incident"/>: plain data a store writes as one JSON document beside a few
/// indexed columns. <see cref="Version"/> is the optimistic-concurrency token.
/// </summary>
public sealed record IncidentSnapshot
{
    public required string Id { get; init; }
    public required string Channel { get; init; }
    public required string Summary { get; init; }
    public Severity Severity { get; init; } = Severity.Critical;
    public required string Commander { get; init; }
    public required string DeclaredBy { get; init; }
    public required DateTimeOffset DeclaredAt { get; init; }
    public DateTimeOffset? DetectedAt { get; init; }
    public DateTimeOffset? MitigatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? RootCause { get; init; }
    public bool Drill { get; init; }
    public IncidentState State { get; init; }
    public long Version { get; init; }
    public Classification? Classification { get; init; }
    public List<TimelineEntry> Timeline { get; init; } = [];
    public List<ActionRecord> Actions { get; init; } = [];
    public List<DiagnosisReport> Diagnoses { get; init; } = [];
    public List<int> RemindersSent { get; init; } = [];
    public List<IncidentAlert> Alerts { get; init; } = [];
    public string? ReportMarkdown { get; init; }
    public bool ChannelPending { get; init; }

    /// <summary>The leader watch's state (null until it first looked).</summary>
    public LeaderWatch? LeaderWatch { get; init; }
    /// <summary>A live drill's measurements (null for every other incident).</summary>
    public LiveDrillResult? LiveDrill { get; init; }
}
