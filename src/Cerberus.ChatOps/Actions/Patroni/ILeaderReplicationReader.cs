using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>Reads the leader's side of replication for the replica rebuild (a port, so the action's rules are tested without a server).</summary>
internal interface ILeaderReplicationReader
{
    /// <summary>pg_stat_replication, the slots and the database sizes on <paramref name="leader"/>; never throws for a server that cannot be read.</summary>
    Task<LeaderReplication> ReadAsync(PatroniMember leader, CancellationToken cancellationToken);

    /// <summary>The base backup the leader is sending, if any (null when none runs or it cannot be read).</summary>
    Task<BasebackupProgress?> ReadBasebackupAsync(PatroniMember leader, CancellationToken cancellationToken);
}
