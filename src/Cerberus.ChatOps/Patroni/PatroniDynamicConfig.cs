using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary>The parts of <c>GET /config</c> the bot reads.</summary>
internal sealed record PatroniDynamicConfig
{
    [JsonPropertyName("ttl")] public int? Ttl { get; init; }
    [JsonPropertyName("loop_wait")] public int? LoopWait { get; init; }
    [JsonPropertyName("retry_timeout")] public int? RetryTimeout { get; init; }
    [JsonPropertyName("maximum_lag_on_failover")] public long? MaximumLagOnFailover { get; init; }

    /// <summary>true/false in 3.0.2 (Python truthiness: a non-empty string also counts); kept raw so any form parses.</summary>
    [JsonPropertyName("synchronous_mode")] public JsonElement SynchronousModeValue { get; init; }

    [JsonIgnore]
    public bool SynchronousMode => SynchronousModeValue.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => SynchronousModeValue.GetString() is { Length: > 0 } v && !v.Equals("off", StringComparison.OrdinalIgnoreCase) && !v.Equals("false", StringComparison.OrdinalIgnoreCase),
        JsonValueKind.Number => SynchronousModeValue.TryGetInt32(out var n) && n != 0,
        _ => false,
    };

    /// <summary>
    /// Permanent slots. Patroni 3.0.2 (<c>dcs/__init__.py</c> <c>ClusterConfig.permanent_slots</c>) reads the first
    /// non-empty of <c>permanent_replication_slots</c>, <c>permanent_slots</c> and <c>slots</c>; kept raw here and
    /// interpreted by the slot action (the values are free-form: null, or {type, database, plugin}).
    /// </summary>
    [JsonPropertyName("slots")] public JsonElement Slots { get; init; }

    [JsonPropertyName("permanent_slots")] public JsonElement PermanentSlots { get; init; }

    [JsonPropertyName("permanent_replication_slots")] public JsonElement PermanentReplicationSlots { get; init; }

    /// <summary><c>ignore_slots</c>: a list of {name, type, database, plugin} matchers (<c>ClusterConfig.ignore_slots_matchers</c>).</summary>
    [JsonPropertyName("ignore_slots")] public JsonElement IgnoreSlots { get; init; }

    /// <summary>The <c>postgresql</c> section of the dynamic configuration (kept raw; only <c>use_slots</c> is read).</summary>
    [JsonPropertyName("postgresql")] public JsonElement Postgresql { get; init; }

    /// <summary>
    /// <c>postgresql.use_slots</c>, true when absent (3.0.2 <c>dcs/__init__.py</c> <c>Cluster.use_slots</c>): the leader then
    /// keeps a physical slot for every member that streams from it.
    /// </summary>
    [JsonIgnore]
    public bool UseSlots => Postgresql.ValueKind != JsonValueKind.Object
                            || !Postgresql.TryGetProperty("use_slots", out var value)
                            || value.ValueKind switch
                            {
                                JsonValueKind.False or JsonValueKind.Null => false,
                                JsonValueKind.String => value.GetString() is { Length: > 0 },
                                JsonValueKind.Number => value.TryGetDouble(out var n) && n != 0,
                                _ => true,
                            };

    /// <summary>Patroni's default when the key is absent: 1 MiB.</summary>
    [JsonIgnore] public long EffectiveMaximumLagOnFailover => MaximumLagOnFailover ?? 1_048_576;

    [JsonIgnore] public int EffectiveLoopWait => LoopWait ?? 10;

    /// <summary>Patroni's default when the key is absent: 30 s.</summary>
    [JsonIgnore] public int EffectiveTtl => Ttl ?? 30;
}
