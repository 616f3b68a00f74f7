namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>A row of pg_replication_slots with the WAL it retains.</summary>
internal sealed record ReplicationSlotInfo(string Name, string Type, bool Active, string? WalStatus, long? RetainedBytes);
