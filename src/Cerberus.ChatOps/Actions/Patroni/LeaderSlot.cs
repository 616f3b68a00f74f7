namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>A replication slot on the leader (<c>pg_replication_slots</c>, temporary slots left out).</summary>
internal sealed record LeaderSlot(string Name, string Type, bool Active, string WalStatus);
