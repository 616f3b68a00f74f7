using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>What is left to do after the resolution, derived from the ledger and the figures.</summary>
internal static class FollowUpRules
{
    public static IReadOnlyList<string> Derive(
        Incident incident,
        DataLossEstimate dataLoss,
        RecoveryTimeVerdict recoveryTime,
        RootCauseFinding rootCause,
        TableHealth? integrity)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(dataLoss);
        ArgumentNullException.ThrowIfNull(recoveryTime);
        ArgumentNullException.ThrowIfNull(rootCause);
        var items = new List<string>();
        foreach (var action in incident.OutstandingUndo)
        {
            var target = ReportFormat.PlainText(action.Target);
            items.Add(action.Kind == RemediationKind.ScaleBackendDown
                ? $"Scale {target} back to {action.Figures.GetValueOrDefault(ActionFigureKeys.ReplicasBefore) ?? "its previous"} replicas: {action.Kind} ({action.Id}) was not undone when the incident was resolved."
                : $"Undo {action.Kind} on {target} ({action.Id}): it was not undone when the incident was resolved.");
        }

        foreach (var failed in incident.Actions.Where(a => a.Status == ActionStatus.Failed && !a.DryRun))
        {
            items.Add($"Find out why {failed.Kind} on {ReportFormat.PlainText(failed.Target)} ({failed.Id}) failed: {ReportFormat.PlainText(failed.Outcome)}");
        }

        foreach (var promotion in dataLoss.Failovers)
        {
            var leader = promotion.NewLeader is null ? "the new primary" : $"the new primary {ReportFormat.PlainText(promotion.NewLeader)}";
            items.Add($"Run `ANALYZE` (`vacuumdb --analyze-only`) on {leader}: the promotion reset the table statistics, so autovacuum does not know about bloat.");
        }

        foreach (var action in incident.Actions.Where(a => a.Status == ActionStatus.Succeeded && !a.DryRun
                     && string.Equals(a.Figures.GetValueOrDefault(ActionFigureKeys.FenceOldPrimary), "true", StringComparison.OrdinalIgnoreCase)))
        {
            var old = action.Figures.GetValueOrDefault(ActionFigureKeys.OldLeader) is { Length: > 0 } name ? ReportFormat.PlainText(name) : "the old primary";
            items.Add($"Fence {old} (delete its pod or stop Patroni there) until it is rebuilt as a replica: it was hung, not dead, and could take the leader lock back ({action.Id}).");
        }

        if (dataLoss.LossBytes is not 0 && dataLoss.FailoverHappened)
        {
            items.Add($"Look for the lost WAL in the archive (`pg_stat_archiver.last_archived_wal`) and check with the application owners which writes are missing ({dataLoss.Amount}).");
        }

        if (rootCause.IsHypothesis)
        {
            items.Add("Confirm the root cause: the one above is a hypothesis from the diagnostics (edit it with the root-cause modal).");
        }

        if (recoveryTime.Verdict == ObjectiveVerdict.Missed)
        {
            items.Add($"Review why the recovery took {Durations.Format(recoveryTime.TimeToRecovery)}, {Durations.Format(recoveryTime.Margin)} over the {Durations.Format(recoveryTime.Objective)} RTO.");
        }

        if (integrity is null)
        {
            items.Add("Run the data integrity check (`pg_stat_user_tables`): it was not collected.");
        }
        else if (integrity.Problem is not null)
        {
            items.Add($"Run the data integrity check again: {ReportFormat.PlainText(integrity.Problem)}");
        }
        else
        {
            foreach (var table in integrity.Rows.Where(r => r.IsBloated))
            {
                items.Add(string.Create(CultureInfo.InvariantCulture,
                    $"`VACUUM (VERBOSE) {table.QualifiedName}`: {table.DeadTuples:N0} dead tuples ({table.DeadPercent ?? 0:0.#} %)."));
            }
        }

        return items;
    }
}
