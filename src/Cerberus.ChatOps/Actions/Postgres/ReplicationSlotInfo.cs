namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>A row of pg_replication_slots with the WAL it retains (database and plugin are null for a physical slot).</summary>
internal sealed record ReplicationSlotInfo(string Name, string Type, bool Active, string? WalStatus, long? RetainedBytes, string? Database = null, string? Plugin = null);
