using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>Time to recovery (detection → resolution) against the RTO.</summary>
/// <param name="TimeToRecovery">Detection → resolution.</param>
/// <param name="Objective">The runbook's RTO (4 h).</param>
/// <param name="Verdict">Met when <paramref name="TimeToRecovery"/> ≤ <paramref name="Objective"/>.</param>
/// <param name="Margin">How much time was left (met) or by how much it was exceeded (missed); never negative.</param>
public sealed record RecoveryTimeVerdict(TimeSpan TimeToRecovery, TimeSpan Objective, ObjectiveVerdict Verdict, TimeSpan Margin)
{
    public static RecoveryTimeVerdict Of(TimeSpan timeToRecovery, TimeSpan objective) =>
        timeToRecovery <= objective
            ? new(timeToRecovery, objective, ObjectiveVerdict.Met, objective - timeToRecovery)
            : new(timeToRecovery, objective, ObjectiveVerdict.Missed, timeToRecovery - objective);

    /// <summary>E.g. "RTO 4 h met, 2 h 53 min to spare" or "RTO 4 h missed by 1 h 07 min".</summary>
    public string Sentence => Verdict == ObjectiveVerdict.Met
        ? $"RTO {Durations.Format(Objective)} met, {Durations.Format(Margin)} to spare"
        : $"RTO {Durations.Format(Objective)} missed by {Durations.Format(Margin)}";
}
