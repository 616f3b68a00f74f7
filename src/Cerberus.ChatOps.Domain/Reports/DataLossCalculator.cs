using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// The RPO part of the report (postgres-patroni.md §3): the lost WAL from the LSNs the failover recorded, turned
/// into time with the recorded WAL rate; none for a switchover from a healthy leader or when no failover happened.
/// </summary>
internal static class DataLossCalculator
{
    public static DataLossEstimate Estimate(IEnumerable<ActionRecord> actions, TimeSpan objective)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var promotions = actions
            .Where(a => a.Status == ActionStatus.Succeeded && !a.DryRun && a.Kind is RemediationKind.Failover or RemediationKind.Switchover)
            .OrderBy(a => a.FinishedAt ?? a.ProposedAt)
            .Select(Loss)
            .ToList();
        if (promotions.Count == 0)
        {
            return new([], 0, 0, objective, ObjectiveVerdict.Met, "none: no failover took place, the primary kept all its data.");
        }

        long? bytes = promotions.All(p => p.LossBytes is not null) ? promotions.Sum(p => p.LossBytes!.Value) : null;
        double? seconds = promotions.All(p => p.LossSeconds is not null) ? promotions.Sum(p => p.LossSeconds!.Value) : null;
        var verdict = seconds is not null ? (seconds.Value <= objective.TotalSeconds ? ObjectiveVerdict.Met : ObjectiveVerdict.Missed)
            : promotions.Any(p => p.LossSeconds > objective.TotalSeconds) ? ObjectiveVerdict.Missed
            : bytes == 0 ? ObjectiveVerdict.Met
            : ObjectiveVerdict.Unknown;
        string explanation;
        if (promotions.All(p => p.Mode == ActionFigureKeys.FailoverModeSwitchover))
        {
            explanation = "none: switchover from a healthy leader (Patroni demoted it gracefully, no WAL was lost).";
        }
        else if (bytes == 0)
        {
            explanation = "none: the promoted replica had received all the WAL the old leader wrote (" +
                          string.Join("; ", promotions.Select(p => p.Basis)) + ").";
        }
        else
        {
            explanation = "computed from the figures the failover recorded: " + string.Join("; ", promotions.Select(p => p.Basis)) + ".";
        }

        return new(promotions, bytes, seconds, objective, verdict, explanation);
    }

    private static FailoverLoss Loss(ActionRecord action)
    {
        var f = action.Figures;
        var mode = Get(f, ActionFigureKeys.FailoverMode)?.Trim().ToLowerInvariant()
                   ?? (action.Kind == RemediationKind.Switchover ? ActionFigureKeys.FailoverModeSwitchover : ActionFigureKeys.FailoverModeFailover);
        var oldLeader = Get(f, ActionFigureKeys.OldLeader);
        var newLeader = Get(f, ActionFigureKeys.NewLeader);
        var switchpoint = Get(f, ActionFigureKeys.SwitchpointLsn);
        var oldLast = Get(f, ActionFigureKeys.OldLeaderLastLsn);
        var received = Get(f, ActionFigureKeys.CandidateReceivedLsn);
        var rate = ReportFormat.ParseDouble(Get(f, ActionFigureKeys.WalRateBytesPerSecond));
        if (mode == ActionFigureKeys.FailoverModeSwitchover)
        {
            return new(action.Id, mode, oldLeader, newLeader, switchpoint, oldLast, received, 0, 0, rate,
                $"{action.Id}: switchover from a healthy leader, graceful demotion");
        }

        long? bytes;
        string basis;
        if (LogSequenceNumber.Difference(oldLast, switchpoint) is { } forked)
        {
            bytes = Math.Max(0, forked);
            basis = $"{action.Id}: old leader's last known LSN {oldLast} − switchpoint {switchpoint} of the new timeline = {ReportFormat.BytesExact(bytes.Value)} (a lower bound: the last LSN is sampled)";
        }
        else if (LogSequenceNumber.Difference(oldLast, received) is { } unreceived)
        {
            bytes = Math.Max(0, unreceived);
            basis = $"{action.Id}: old leader's last known LSN {oldLast} − candidate's received LSN {received} = {ReportFormat.BytesExact(bytes.Value)} (a lower bound: the last LSN is sampled)";
        }
        else if (ReportFormat.ParseLong(Get(f, ActionFigureKeys.EstimatedLossBytes)) is { } estimated)
        {
            bytes = Math.Max(0, estimated);
            basis = $"{action.Id}: {ReportFormat.BytesExact(bytes.Value)} as estimated before the promotion";
        }
        else
        {
            bytes = null;
            basis = $"{action.Id}: the failover recorded neither LSNs nor an estimate";
        }

        double? seconds = bytes == 0 ? 0
            : bytes is not null && rate > 0 ? bytes.Value / rate.Value
            : ReportFormat.ParseDouble(Get(f, ActionFigureKeys.EstimatedLossSeconds)) is { } s ? Math.Max(0, s)
            : null;
        if (bytes > 0 && rate > 0)
        {
            basis += $", ≈ {ReportFormat.Seconds(seconds!.Value)} of writes at {ReportFormat.Bytes((long)rate.Value)}/s";
        }
        else if (bytes > 0 && seconds is not null)
        {
            basis += $", ≈ {ReportFormat.Seconds(seconds.Value)} of writes as estimated before the promotion";
        }
        else if (bytes > 0)
        {
            basis += ", no WAL rate recorded to turn it into time";
        }

        return new(action.Id, mode, oldLeader, newLeader, switchpoint, oldLast, received, bytes, seconds, rate, basis);
    }

    private static string? Get(Dictionary<string, string> figures, string key) =>
        figures.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
