namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>The runbook's remediations, as the bot offers them.</summary>
public enum RemediationKind
{
    /// <summary>Patroni switchover from a healthy leader (graceful, no data loss).</summary>
    Switchover,

    /// <summary>Patroni failover to a named candidate when there is no healthy leader.</summary>
    Failover,

    /// <summary>Scale the backend deployment to zero, remembering its replica count.</summary>
    ScaleBackendDown,

    /// <summary>Scale the backend deployment back to the remembered replica count.</summary>
    ScaleBackendUp,

    /// <summary>Batched deletion of audit.logs rows older than the retention, then VACUUM.</summary>
    AuditLogCleanup,

    /// <summary>Drop an inactive replication slot that retains WAL.</summary>
    DropReplicationSlot,

    /// <summary>CHECKPOINT so the server recycles WAL it no longer needs.</summary>
    Checkpoint,

    /// <summary>VACUUM (FREEZE) of the tables whose relfrozenxid is oldest, so the database's age falls back.</summary>
    VacuumFreeze,

    /// <summary>pg_terminate_backend of the sessions idle in transaction too long and of the lock-tree roots (an approved set).</summary>
    TerminateSessions,

    /// <summary>Rolling restart of the backend deployment (the restartedAt annotation that kubectl rollout restart sets).</summary>
    RestartBackend,

    /// <summary>ANALYZE of the tables that matter most on a newly promoted primary.</summary>
    Analyze,

    /// <summary>
    /// Patroni POST /reinitialize on a replica that cannot stream (WAL gone, slot lost, another timeline): its data
    /// directory is wiped and copied again from the leader.
    /// </summary>
    ReinitializeReplica,

    /// <summary>
    /// Fence a former leader that still runs (or may run) as a primary while another member holds the leader key:
    /// delete its pod with a short grace period (the controller brings it back and Patroni rejoins it as a replica).
    /// </summary>
    FenceOldLeader,

    /// <summary>
    /// Grow a data volume's PVC (<c>spec.resources.requests.storage</c>) when its StorageClass allows expansion, and
    /// follow the resize to the new capacity: disk-full first aid that needs no SQL.
    /// </summary>
    ExpandVolume,
}
