using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Incidents.Rendering;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Verification of an executed action, for <see cref="ActionExecution"/> (right after it ran, or after a restart):
/// the action's own check plus the probes that show its effect, compared before → after, recorded on the incident
/// and posted in its thread.
/// </summary>
internal sealed class ActionVerification(IncidentMutator mutator, IIncidentStore store, IncidentBackends backends)
{
    public async Task VerifyAsync(string incidentId, string actionId, IRemediationAction action, CancellationToken cancellationToken)
    {
        var incident = await store.GetAsync(incidentId, cancellationToken);
        if (incident?.FindAction(actionId) is not { } record)
        {
            return;
        }

        ActionOutcome check;
        try
        {
            check = await action.VerifyAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            check = ActionOutcome.Failure($"verification threw: {SecretRedactor.Redact(ex.Message)}");
        }

        var before = incident.LatestDiagnosis;
        var after = await backends.DiagnosticsFor(incident).RunAsync(VerificationProbes(record.Kind), cancellationToken);
        var comparison = BeforeAfter(before, after);
        await mutator.MutateAsync(incidentId, (i, batch, now) =>
        {
            i.CompleteDiagnosis(after, now);
            var result = i.RecordVerification(actionId, check.Succeeded, $"{check.Summary} {comparison}".Trim(), now, check.Figures);
            batch.Thread(IncidentMessages.Text(
                $"{(check.Succeeded ? ":white_check_mark: Verified" : ":x: Verification failed")}: {Format.Safe(check.Summary)}\n*Before → after:*\n{Format.Safe(comparison)}\n_Next:_ {IncidentMessages.NextStep(i)}"));
            return result;
        }, cancellationToken);
    }

    /// <summary>The probes that show an action's effect.</summary>
    internal static IReadOnlyCollection<string> VerificationProbes(RemediationKind kind) => kind switch
    {
        RemediationKind.Failover or RemediationKind.Switchover or RemediationKind.ReinitializeReplica =>
            [ProbeNames.Connectivity, ProbeNames.Patroni, ProbeNames.Replication, ProbeNames.App],
        RemediationKind.FenceOldLeader => [ProbeNames.Connectivity, ProbeNames.Patroni, ProbeNames.Replication, ProbeNames.Kubernetes],
        RemediationKind.TerminateSessions => [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.App],
        RemediationKind.ScaleBackendDown or RemediationKind.ScaleBackendUp or RemediationKind.RestartBackend =>
            [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Kubernetes, ProbeNames.App],
        RemediationKind.VacuumFreeze => [ProbeNames.Wraparound, ProbeNames.Disk, ProbeNames.Replication, ProbeNames.App],
        RemediationKind.AuditLogCleanup => [ProbeNames.Disk, ProbeNames.Volume, ProbeNames.Replication, ProbeNames.App],
        RemediationKind.ExpandVolume => [ProbeNames.Volume, ProbeNames.Connectivity, ProbeNames.Disk, ProbeNames.App],
        _ => [ProbeNames.Replication, ProbeNames.Disk, ProbeNames.Volume, ProbeNames.App],
    };

    /// <summary>One line per probe of <paramref name="after"/>: its status before (when it ran then) → now, and its summary.</summary>
    internal static string BeforeAfter(DiagnosisReport? before, DiagnosisReport after)
    {
        var lines = new List<string>();
        foreach (var result in after.Results)
        {
            var previous = before?.Find(result.Probe);
            lines.Add(previous is null
                ? $"• {result.Probe}: {Format.Label(result.Status)} — {result.Summary}"
                : $"• {result.Probe}: {Format.Label(previous.Status)} → {Format.Label(result.Status)} — {result.Summary}");
        }

        return string.Join("\n", lines);
    }
}
