using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>The leader's side of replication for the replica rebuild (a port, so the action's rules are tested without a server).</summary>
internal interface ILeaderReplicationAccess
{
    /// <summary>pg_stat_replication, the slots and the database sizes on <paramref name="leader"/>; never throws for a server that cannot be read.</summary>
    Task<LeaderReplication> ReadAsync(PatroniMember leader, CancellationToken cancellationToken);

    /// <summary>The base backup the leader is sending, if any (null when none runs or it cannot be read).</summary>
    Task<BasebackupProgress?> ReadBasebackupAsync(PatroniMember leader, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a member's physical slot on the leader with the statement Patroni 3.0.2 uses (<c>slots.py</c>
    /// <c>_ensure_physical_slots</c>: reserved at once, only when no physical slot of that name exists). True when this
    /// call created it, false when it already existed; the error when it could not.
    /// </summary>
    Task<(bool Created, string? Error)> CreateMemberSlotAsync(PatroniMember leader, string slot, CancellationToken cancellationToken);
}
