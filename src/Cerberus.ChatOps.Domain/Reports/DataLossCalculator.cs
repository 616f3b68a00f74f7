using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// The RPO part of the report (docs/post-incident-report.md): the lost WAL from the LSNs the failover recorded, turned
/// into time with the recorded WAL rate. A failover gives a lower bound (the leader's last optime in the DCS against
/// what the candidate had) and, when a WAL rate was measured, an upper bound; "none" only when no failover happened
/// or a graceful switchover was verified (the old leader rejoined the new timeline).
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
        var certain = promotions.All(p => p.Certain);
        long? upper = certain ? bytes : promotions.All(p => (p.Certain ? p.LossBytes : p.UpperBytes) is not null)
            ? promotions.Sum(p => (p.Certain ? p.LossBytes : p.UpperBytes)!.Value)
            : null;
        double? upperSeconds = certain ? seconds : promotions.All(p => (p.Certain ? p.LossSeconds : p.UpperSeconds) is not null)
            ? promotions.Sum(p => (p.Certain ? p.LossSeconds : p.UpperSeconds)!.Value)
            : null;

        // Missed only when even the lower bound is over; met only when the exact loss or the upper bound is within.
        var verdict = seconds > objective.TotalSeconds || promotions.Any(p => p.LossSeconds > objective.TotalSeconds) ? ObjectiveVerdict.Missed
            : certain && seconds is not null ? ObjectiveVerdict.Met
            : upperSeconds is { } us && us <= objective.TotalSeconds ? ObjectiveVerdict.Met
            : ObjectiveVerdict.Unknown;
        var basis = string.Join("; ", promotions.Select(p => p.Basis));
        var explanation = certain
            ? $"none: {basis}."
            : bytes == 0
                ? $"no loss was measured, none is proven: {basis}."
                : $"computed from the figures the failover recorded: {basis}.";
        return new(promotions, bytes, seconds, objective, verdict, explanation, certain ? bytes : upper, certain);
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
        var timelineAfter = Get(f, ActionFigureKeys.TimelineAfter);
        var oldLeaderState = Get(f, ActionFigureKeys.OldLeaderState);
        var verified = $"{(switchpoint is null ? string.Empty : $"switchpoint {switchpoint}, ")}timeline {timelineAfter ?? "unknown"} after, old leader {oldLeaderState ?? "not checked"}";
        if (mode == ActionFigureKeys.FailoverModeSwitchover)
        {
            // Graceful: Patroni demotes the healthy leader with a clean shutdown, which streams its WAL to the connected
            // candidate before the promotion. Proven once the old leader has rejoined the new timeline as a replica.
            var planned = ReportFormat.ParseLong(Get(f, ActionFigureKeys.EstimatedLossBytes)) is not > 0;
            var rejoined = string.Equals(oldLeaderState, "replica", StringComparison.Ordinal);
            return rejoined && planned
                ? new(action.Id, mode, oldLeader, newLeader, switchpoint, oldLast, received, 0, 0, rate,
                    $"{action.Id}: switchover from a healthy leader, graceful demotion; verified: {verified}", 0, true, timelineAfter, oldLeaderState)
                : new(action.Id, mode, oldLeader, newLeader, switchpoint, oldLast, received, 0, 0, rate,
                    $"{action.Id}: switchover from a healthy leader, graceful demotion, but not proven (old leader {oldLeaderState ?? "not checked"}{(planned ? string.Empty : "; the candidate lagged when it was approved")})",
                    null, false, timelineAfter, oldLeaderState);
        }

        var measuredEstimate = !string.Equals(Get(f, ActionFigureKeys.LossLowerMeasured), "false", StringComparison.Ordinal);
        long? bytes;
        string basis;
        if (LogSequenceNumber.Difference(oldLast, switchpoint) is { } forked)
        {
            bytes = Math.Max(0, forked);
            basis = $"{action.Id}: the old leader's last optime in the DCS (at least {oldLast}) − switchpoint {switchpoint} of the new timeline = {ReportFormat.BytesExact(bytes.Value)} (a lower bound)";
        }
        else if (LogSequenceNumber.Difference(oldLast, received) is { } unreceived)
        {
            bytes = Math.Max(0, unreceived);
            basis = $"{action.Id}: the old leader's last optime in the DCS (at least {oldLast}) − candidate's received LSN {received} = {ReportFormat.BytesExact(bytes.Value)} (a lower bound)";
        }
        else if (measuredEstimate && ReportFormat.ParseLong(Get(f, ActionFigureKeys.EstimatedLossBytes)) is { } estimated)
        {
            bytes = Math.Max(0, estimated);
            basis = $"{action.Id}: {ReportFormat.BytesExact(bytes.Value)} as measured before the promotion (a lower bound)";
        }
        else
        {
            bytes = null;
            basis = $"{action.Id}: the leader's last optime could not be measured, so no lower bound above 0 is known";
        }

        double? seconds = bytes == 0 ? 0
            : bytes is not null && rate > 0 ? bytes.Value / rate.Value
            : measuredEstimate && ReportFormat.ParseDouble(Get(f, ActionFigureKeys.EstimatedLossSeconds)) is { } s ? Math.Max(0, s)
            : null;
        if (bytes > 0 && rate > 0)
        {
            basis += $", ≈ {Durations.Format(seconds!.Value)} of writes at {ByteSize.Format((long)rate.Value)}/s";
        }
        else if (bytes > 0 && seconds is not null)
        {
            basis += $", ≈ {Durations.Format(seconds.Value)} of writes as estimated before the promotion";
        }
        else if (bytes > 0)
        {
            basis += ", no WAL rate recorded to turn it into time";
        }

        var upper = ReportFormat.ParseLong(Get(f, ActionFigureKeys.LossUpperBytes));
        var ttl = Get(f, ActionFigureKeys.PatroniTtlSeconds);
        basis += upper is { } u
            ? $"; at most {ReportFormat.BytesExact(u)} (Patroni's recorded lag + ttl {ttl ?? "?"} s × WAL rate)"
            : "; upper bound unknown (no WAL rate: the leader could not be sampled)";
        basis += $"; verified: {verified}";
        return new(action.Id, mode, oldLeader, newLeader, switchpoint, oldLast, received, bytes, seconds, rate, basis, upper, false, timelineAfter, oldLeaderState);
    }

    private static string? Get(Dictionary<string, string> figures, string key) =>
        figures.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
