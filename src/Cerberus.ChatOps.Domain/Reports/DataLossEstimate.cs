using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The incident's data loss against the RPO.</summary>
/// <param name="Failovers">Every succeeded, real failover or switchover, with its own figures; empty when none took place.</param>
/// <param name="LossBytes">The total lost WAL in bytes: exact when <see cref="Certain"/>, else a lower bound; null when a
/// failover's figures do not tell.</param>
/// <param name="LossSeconds">The total lost writes in seconds (0 when none); null when it cannot be told.</param>
/// <param name="Objective">The runbook's RPO (15 min).</param>
/// <param name="Verdict">Met when the loss (its upper bound, unless certain) is within the RPO; missed when its lower bound is not.</param>
/// <param name="Explanation">Why the loss is what it is ("none: no failover took place", "computed from ...").</param>
/// <param name="UpperBytes">The most that can have been lost, when every failover recorded one.</param>
/// <param name="Certain">The figure is exact (no failover, or only verified graceful switchovers), not a bound.</param>
public sealed record DataLossEstimate(
    IReadOnlyList<FailoverLoss> Failovers,
    long? LossBytes,
    double? LossSeconds,
    TimeSpan Objective,
    ObjectiveVerdict Verdict,
    string Explanation,
    long? UpperBytes = null,
    bool Certain = true)
{
    /// <summary>True when a failover or a switchover promoted a replica (the table statistics were reset).</summary>
    public bool FailoverHappened => Failovers.Count > 0;

    /// <summary>E.g. "none", "≥ 0 B (none measured), at most 3.0 MiB", "≥ 20,643,840 B (19.7 MiB), ≈ 41 s of writes", "unknown".</summary>
    public string Amount
    {
        get
        {
            var upper = UpperBytes is { } u ? $", at most {ReportFormat.BytesExact(u)}" : Certain ? string.Empty : ", upper bound unknown";
            return LossBytes switch
            {
                0 when Certain => "none",
                0 => $"≥ 0 B (no loss measured, none proven){upper}",
                null when LossSeconds is null => "unknown" + (UpperBytes is { } u2 ? $" (at most {ReportFormat.BytesExact(u2)})" : string.Empty),
                null => $"≈ {Durations.Format(LossSeconds!.Value)} of writes",
                _ => (Certain ? string.Empty : "≥ ") + (LossSeconds is null
                    ? $"{ReportFormat.BytesExact(LossBytes.Value)}, time unknown"
                    : $"{ReportFormat.BytesExact(LossBytes.Value)}, ≈ {Durations.Format(LossSeconds.Value)} of writes") + upper,
            };
        }
    }

    /// <summary>E.g. "RPO 15 min met" / "RPO 15 min missed" / "RPO 15 min: cannot tell".</summary>
    public string Sentence => Verdict switch
    {
        ObjectiveVerdict.Met => $"RPO {Durations.Format(Objective)} met",
        ObjectiveVerdict.Missed => $"RPO {Durations.Format(Objective)} missed",
        _ => $"RPO {Durations.Format(Objective)}: cannot tell from the recorded figures",
    };
}
