using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Npgsql;

namespace Cerberus.ChatOps.Drill.Live;

/// <summary>
/// The slot-fill fault, on the primary the actions' connection reaches: an inactive physical slot that reserves
/// WAL at once (<c>pg_create_physical_replication_slot(name, true)</c>), then WAL written with
/// <c>pg_logical_emit_message</c> (no table, no pg_switch_wal privilege needed) until the slot retains more than the
/// diagnosis' critical threshold. With Patroni, the slot is first added to <c>ignore_slots</c> (PATCH /config): Patroni
/// 3.0.2 (<c>postgresql/slots.py</c> <c>_drop_incorrect_slots</c>) drops a slot on the leader that is neither in its
/// configuration nor ignored, so without it Patroni would remove the fault on its own at some HA loop, and the drill
/// would measure nothing. That also makes the slot what the drill stands for: an outside consumer's slot (a backup
/// tool's, declared in ignore_slots) whose consumer died. <see cref="RestoreAsync"/> undoes every step, idempotently.
/// </summary>
internal sealed class SlotFillFault(PostgresConnector postgres, IPatroniClient patroni, string slot, long thresholdBytes, long targetRetainedBytes)
{
    private const long ChunkBytes = 1L << 20;
    private const int MaxChunksPerRound = 64;

    public string Slot => slot;

    /// <summary>Injects the fault; returns a one-line description of it. Throws <see cref="LiveDrillException"/> when it cannot.</summary>
    public async Task<string> InjectAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
        if (await ScalarAsync<bool>(connection, "SELECT pg_is_in_recovery()", cancellationToken))
        {
            throw new LiveDrillException($"{postgres.DescribePrimary()} is a standby: slot-fill needs the primary (point Cerberus:Actions:PostgresConnectionString at the leader).");
        }

        if (patroni.Members.Count > 0)
        {
            await AddIgnoreAsync(progress, cancellationToken);
        }

        // A slot of this name left by an interrupted drill is ours: drop it first (only while inactive).
        await ExecAsync(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @slot AND NOT active", cancellationToken);
        await ExecAsync(connection, "SELECT pg_create_physical_replication_slot(@slot, true)", cancellationToken);
        progress.Report($"created inactive physical slot {slot} (reserving WAL from now)");

        long retained = 0;
        for (var round = 0; round < 64; round++)
        {
            retained = await RetainedAsync(connection, cancellationToken) ?? throw new LiveDrillException($"slot {slot} disappeared while WAL was being written (did something drop it?).");
            if (retained > targetRetainedBytes)
            {
                break;
            }

            var chunks = (int)Math.Clamp(((targetRetainedBytes - retained) / ChunkBytes) + 1, 1, MaxChunksPerRound);
            await using var emit = new NpgsqlCommand("SELECT count(pg_logical_emit_message(false, 'cerberus-live-drill', repeat('x', @bytes))) FROM generate_series(1, @chunks)", connection);
            emit.Parameters.AddWithValue("bytes", (int)ChunkBytes);
            emit.Parameters.AddWithValue("chunks", chunks);
            await emit.ExecuteScalarAsync(cancellationToken);
        }

        if (retained <= targetRetainedBytes)
        {
            throw new LiveDrillException($"slot {slot} retains only {ByteSize.Format(retained)} after writing WAL; the target was {ByteSize.Format(targetRetainedBytes)}.");
        }

        progress.Report($"wrote WAL until {slot} retains {ByteSize.Format(retained)}");
        return $"inactive physical slot {slot} on {postgres.DescribePrimary()} retaining {ByteSize.Format(retained)} of WAL (the diagnosis calls more than {ByteSize.Format(thresholdBytes)} critical)"
               + (patroni.Members.Count > 0 ? $", listed in Patroni's ignore_slots for the drill" : string.Empty);
    }

    /// <summary>True when the primary no longer has the slot: the fault is gone.</summary>
    public async Task<bool> IsGoneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
        return await RetainedAsync(connection, cancellationToken) is null && !await ExistsAsync(connection, cancellationToken);
    }

    /// <summary>Drops the slot if it is still there and removes the drill's ignore_slots entry; returns what it could not undo.</summary>
    public async Task<IReadOnlyList<string>> RestoreAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            if (await ExistsAsync(connection, cancellationToken))
            {
                await ExecAsync(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @slot AND NOT active", cancellationToken);
                progress.Report($"dropped the drill's slot {slot}");
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            problems.Add($"could not drop slot {slot} ({ex.GetType().Name}{((ex as PostgresException)?.SqlState is { } state ? " " + state : string.Empty)}): drop it by hand with SELECT pg_drop_replication_slot('{slot}')");
        }

        if (patroni.Members.Count > 0)
        {
            try
            {
                await RemoveIgnoreAsync(progress, cancellationToken);
            }
            catch (LiveDrillException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems;
    }

    /// <summary>ignore_slots with the drill's entry added (kept as it was otherwise).</summary>
    internal static JsonArray WithEntry(JsonElement current, string slot)
    {
        var list = Entries(current);
        if (!list.Any(e => IsEntry(e, slot)))
        {
            list.Add(Entry(slot));
        }

        return [.. list];
    }

    /// <summary>ignore_slots without the drill's entry; null (delete the key) when nothing else is left.</summary>
    internal static JsonArray? WithoutEntry(JsonElement current, string slot)
    {
        var list = Entries(current).Where(e => !IsEntry(e, slot)).ToList();
        return list.Count == 0 ? null : [.. list];
    }

    private static List<JsonNode?> Entries(JsonElement current) =>
        current.ValueKind == JsonValueKind.Array ? [.. current.EnumerateArray().Select(e => JsonNode.Parse(e.GetRawText()))] : [];

    private static JsonObject Entry(string slot) => new() { ["name"] = slot, ["type"] = "physical" };

    private static bool IsEntry(JsonNode? node, string slot) =>
        node is JsonObject o && o.Count == 2 && (string?)o["name"] == slot && (string?)o["type"] == "physical";

    private async Task AddIgnoreAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        var (member, config) = await ReadConfigAsync(cancellationToken);
        var patch = new JsonObject { ["ignore_slots"] = WithEntry(config.IgnoreSlots, slot) };
        progress.Report($"PATCH {new Uri(member, "config")} {patch.ToJsonString()}");
        var result = await patroni.PatchConfigAsync(member, patch, cancellationToken);
        if (!result.Succeeded && !await ListedAsync(cancellationToken))
        {
            throw new LiveDrillException($"Patroni did not take the drill's ignore_slots entry (PATCH /config answered {result.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? result.Error ?? "nothing"}); without it Patroni 3.0.2 drops the slot itself, so nothing was injected.");
        }
    }

    private async Task RemoveIgnoreAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        var (member, config) = await ReadConfigAsync(cancellationToken);
        if (!Entries(config.IgnoreSlots).Any(e => IsEntry(e, slot)))
        {
            return;
        }

        var patch = new JsonObject { ["ignore_slots"] = WithoutEntry(config.IgnoreSlots, slot) };
        progress.Report($"PATCH {new Uri(member, "config")} {patch.ToJsonString()}");
        var result = await patroni.PatchConfigAsync(member, patch, cancellationToken);
        if (!result.Succeeded && await ListedAsync(cancellationToken))
        {
            throw new LiveDrillException($"could not remove the drill's entry {{name: {slot}, type: physical}} from Patroni's ignore_slots (PATCH /config answered {result.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? result.Error ?? "nothing"}): remove it with patronictl edit-config");
        }
    }

    private async Task<bool> ListedAsync(CancellationToken cancellationToken)
    {
        var (_, config) = await ReadConfigAsync(cancellationToken);
        return Entries(config.IgnoreSlots).Any(e => IsEntry(e, slot));
    }

    private async Task<(Uri Member, PatroniDynamicConfig Config)> ReadConfigAsync(CancellationToken cancellationToken)
    {
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetConfigAsync(member, cancellationToken)).Value is { } config)
            {
                return (member, config);
            }
        }

        throw new LiveDrillException("no Patroni member answered GET /config, so the drill cannot tell Patroni to leave its slot alone; nothing was injected.");
    }

    private async Task<long?> RetainedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = @slot", connection);
        command.Parameters.AddWithValue("slot", slot);
        return await command.ExecuteScalarAsync(cancellationToken) is long bytes ? bytes : null;
    }

    private async Task<bool> ExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = @slot)", connection);
        command.Parameters.AddWithValue("slot", slot);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("slot", slot);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
