using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary>The parts of <c>GET /config</c> the bot reads.</summary>
public sealed record PatroniDynamicConfig
{
    [JsonPropertyName("ttl")] public int? Ttl { get; init; }
    [JsonPropertyName("loop_wait")] public int? LoopWait { get; init; }
    [JsonPropertyName("retry_timeout")] public int? RetryTimeout { get; init; }
    [JsonPropertyName("maximum_lag_on_failover")] public long? MaximumLagOnFailover { get; init; }

    /// <summary>Patroni's default when the key is absent: 1 MiB.</summary>
    [JsonIgnore] public long EffectiveMaximumLagOnFailover => MaximumLagOnFailover ?? 1_048_576;

    [JsonIgnore] public int EffectiveLoopWait => LoopWait ?? 10;
}
