using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>The slot action's SQL on the primary: the approved-state re-check, the guarded drop, the checkpoint.</summary>
internal static class SlotCommands
{
    public static string Fingerprint(ReplicationSlotInfo slot, SlotOwnership owner) =>
        $"slot={slot.Name};type={slot.Type};active={slot.Active};wal_status={slot.WalStatus ?? "null"};{owner.Fingerprint}";

    /// <summary>Drops the slot only while it is inactive; false when no row was dropped (active, or gone).</summary>
    public static async Task<bool> DropAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var drop = new NpgsqlCommand(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @name AND NOT active", connection);
        drop.Parameters.AddWithValue("name", name);
        var dropped = 0;
        await using var reader = await drop.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            dropped++;
        }

        return dropped > 0;
    }

    public static async Task CheckpointAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // The action connection's own statement_timeout (60 s) is too short for a checkpoint after a large drop.
        await PostgresConnector.SetStatementTimeoutAsync(connection, TimeSpan.FromSeconds(600), cancellationToken);
        await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 600 };
        await checkpoint.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Null while the live server, slot and owner are <paramref name="approved"/>; otherwise (approved, observed).</summary>
    public static async Task<(string Approved, string Observed)?> RecheckAsync(
        NpgsqlConnection connection, PatroniSlotView view, string approved, string name, CancellationToken cancellationToken)
    {
        bool inRecovery;
        await using (var recovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection))
        {
            inRecovery = (bool)(await recovery.ExecuteScalarAsync(cancellationToken))!;
        }

        var slot = (await WalPressureReader.ReadSlotsAsync(connection, inRecovery, cancellationToken))
            .FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
        var observed = $"primary={!inRecovery};" + (slot is null ? $"slot={name};absent" : Fingerprint(slot, view.OwnerOf(slot)));
        return string.Equals(approved, observed, StringComparison.Ordinal) ? null : (approved, observed);
    }
}
