using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Access;

/// <summary>
/// The risk tier of a proposed action: whether it can lose data or availability. The second-person rule
/// (<see cref="SecondPersonRule.Risky"/>) and the approval card read it from here, so both say the same.
/// </summary>
public static class ActionRisk
{
    /// <summary>Risky (with the reason an approver reads on the card) or standard.</summary>
    public static RiskAssessment Assess(ActionRecord action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.Kind switch
        {
            // Without a healthy leader nobody can measure what the old leader had that the candidate lacks:
            // the loss is a lower bound at best, never a measured zero.
            RemediationKind.Failover => RiskAssessment.Risky("a failover can lose committed WAL: its loss is a lower bound, not a measured zero"),
            RemediationKind.AuditLogCleanup when IsVacuumFull(action) =>
                RiskAssessment.Risky("it deletes audit rows for good, and VACUUM FULL locks the table for its whole run"),
            RemediationKind.AuditLogCleanup => RiskAssessment.Risky("it deletes audit rows for good"),
            RemediationKind.DropReplicationSlot => RiskAssessment.Risky("a dropped slot cannot be brought back: its consumer must be rebuilt"),
            RemediationKind.ScaleBackendDown => RiskAssessment.Risky("scaling the backend to zero takes the application down"),
            // Like a failover: what it destroys cannot be brought back, and the cluster has one standby fewer until the copy ends.
            RemediationKind.ReinitializeReplica => RiskAssessment.Risky(
                "it deletes the member's data directory and copies the whole database again from the leader: the member is no standby until the copy ends, and anything only it held is lost"),
            RemediationKind.FenceOldLeader => RiskAssessment.Risky("it stops a PostgreSQL server at once: sessions still connected to it are cut, and the writes it took since the switch are discarded when it rejoins (pg_rewind)"),
            RemediationKind.TerminateSessions => RiskAssessment.Risky("the terminated sessions' open transactions are rolled back: their uncommitted work is lost"),
            _ when action.RiskWarning is not null => RiskAssessment.Risky("its card carries a risk to accept: " + action.RiskWarning),
            _ => RiskAssessment.Standard,
        };
    }

    private static bool IsVacuumFull(ActionRecord action) =>
        action.Parameters.TryGetValue("vacuum_full", out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
