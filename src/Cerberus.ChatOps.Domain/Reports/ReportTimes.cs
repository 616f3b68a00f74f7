namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The incident's milestones (UTC) and the intervals between them.</summary>
/// <param name="Detected">The earliest symptom the diagnostics or the starter reported (never after <paramref name="Declared"/>).</param>
/// <param name="Declared">When <c>/dbincident start</c> declared it.</param>
/// <param name="Mitigated">The first passed verification of a real (not dry-run) action, else the resolution.</param>
/// <param name="Resolved">When it was resolved.</param>
public sealed record ReportTimes(DateTimeOffset Detected, DateTimeOffset Declared, DateTimeOffset? Mitigated, DateTimeOffset Resolved)
{
    public TimeSpan DetectionToDeclaration => Declared - Detected;

    public TimeSpan? DeclarationToMitigation => Mitigated - Declared;

    public TimeSpan? DetectionToMitigation => Mitigated - Detected;

    public TimeSpan? MitigationToResolution => Resolved - Mitigated;

    /// <summary>Time to recovery: detection → resolution, what the RTO is measured against.</summary>
    public TimeSpan TimeToRecovery => Resolved - Detected;

    public TimeSpan DeclarationToResolution => Resolved - Declared;
}
