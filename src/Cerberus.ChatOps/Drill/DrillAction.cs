using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Drill;

/// <summary>
/// A simulated remediation for drills: proposed, approved and recorded like the real one (same ledger, same
/// approval policy), but it changes nothing outside the process; it succeeds and verifies.
/// </summary>
internal sealed class DrillAction(RemediationKind kind, DrillScenario scenario) : IRemediationAction
{
    private const string Fingerprint = "drill:simulated";

    public RemediationKind Kind => kind;

    public Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(ActionProposal.Of(new ActionRecord
        {
            Id = request.ActionId,
            Kind = kind,
            Target = "simulated cluster (drill)",
            Description = "[simulated] " + What(kind),
            BasedOn = $"the drill scenario {scenario.Name} ({scenario.Title})",
            ObservedFingerprint = Fingerprint,
            DryRun = request.DryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
            Parameters = new Dictionary<string, string>(request.Arguments, StringComparer.Ordinal),
            UndoKind = kind == RemediationKind.ScaleBackendDown ? RemediationKind.ScaleBackendUp : null,
        }));
    }

    public Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken) => Task.FromResult(Fingerprint);

    public Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        progress.Report("[simulated] " + What(kind));
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (kind is RemediationKind.Failover or RemediationKind.Switchover)
        {
            figures[ActionFigureKeys.NewLeader] = "pg-1";
        }

        return Task.FromResult(ActionOutcome.Success($"[simulated] {What(kind)} — nothing outside the drill was changed.", figures));
    }

    public Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken) =>
        Task.FromResult(ActionOutcome.Success("[simulated] the scenario's symptoms are gone."));

    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken) =>
        Task.FromResult(ActionOutcome.Success("[simulated] the drill action completed."));

    private static string What(RemediationKind kind) => kind switch
    {
        RemediationKind.Failover => "Patroni failover from pg-0 to pg-1",
        RemediationKind.Switchover => "Patroni switchover from pg-0 to pg-1",
        RemediationKind.ScaleBackendDown => "scale cerberus-backend from 12 to 4 replicas",
        RemediationKind.ScaleBackendUp => "scale cerberus-backend back to 12 replicas",
        RemediationKind.AuditLogCleanup => "delete audit_log rows older than 30 days in batches, then VACUUM",
        RemediationKind.DropReplicationSlot => "drop the inactive replication slot",
        RemediationKind.Checkpoint => "CHECKPOINT",
        RemediationKind.VacuumFreeze => "VACUUM (FREEZE) of the oldest tables",
        RemediationKind.TerminateSessions => "terminate 3 sessions idle in transaction for over 5 min",
        RemediationKind.RestartBackend => "rolling restart of cerberus-backend (12 replicas)",
        RemediationKind.Analyze => "ANALYZE the 10 largest tables on pg-1",
        RemediationKind.ReinitializeReplica => "Patroni reinitialize of pg-1: wipe its data directory and copy 120 GiB from pg-0",
        RemediationKind.FenceOldLeader => "delete pod pg-0 (the stale primary) with a 5 s grace period; it rejoins as a replica of pg-1",
        RemediationKind.ExpandVolume => "grow pvc/pgdata-pg-0 from 20Gi to 30Gi and follow the resize to the new capacity",
        _ => kind.ToString(),
    };
}
