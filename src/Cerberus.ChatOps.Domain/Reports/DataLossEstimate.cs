namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The incident's data loss against the RPO.</summary>
/// <param name="Failovers">Every succeeded, real failover or switchover, with its own figures; empty when none took place.</param>
/// <param name="LossBytes">The total lost WAL in bytes (0 when none); null when a failover's figures do not tell.</param>
/// <param name="LossSeconds">The total lost writes in seconds (0 when none); null when it cannot be told.</param>
/// <param name="Objective">The runbook's RPO (15 min).</param>
/// <param name="Verdict">Met when the loss in seconds is within the RPO.</param>
/// <param name="Explanation">Why the loss is what it is ("none: no failover took place", "computed from ...").</param>
public sealed record DataLossEstimate(
    IReadOnlyList<FailoverLoss> Failovers,
    long? LossBytes,
    double? LossSeconds,
    TimeSpan Objective,
    ObjectiveVerdict Verdict,
    string Explanation)
{
    /// <summary>True when a failover or a switchover promoted a replica (the table statistics were reset).</summary>
    public bool FailoverHappened => Failovers.Count > 0;

    /// <summary>E.g. "none (no failover took place)" or "20 643 840 B (19.7 MiB), ≈ 41 s of writes".</summary>
    public string Amount => LossBytes switch
    {
        0 => "none",
        null when LossSeconds is null => "unknown",
        null => $"≈ {ReportFormat.Seconds(LossSeconds!.Value)} of writes",
        _ => LossSeconds is null
            ? $"{ReportFormat.BytesExact(LossBytes.Value)}, time unknown"
            : $"{ReportFormat.BytesExact(LossBytes.Value)}, ≈ {ReportFormat.Seconds(LossSeconds.Value)} of writes",
    };

    /// <summary>E.g. "RPO 15 min met" / "RPO 15 min missed" / "RPO 15 min: cannot tell".</summary>
    public string Sentence => Verdict switch
    {
        ObjectiveVerdict.Met => $"RPO {ReportFormat.Duration(Objective)} met",
        ObjectiveVerdict.Missed => $"RPO {ReportFormat.Duration(Objective)} missed",
        _ => $"RPO {ReportFormat.Duration(Objective)}: cannot tell from the recorded figures",
    };
}
