using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary>A member of <c>GET /cluster</c> (Patroni 3.0.x).</summary>
internal sealed record PatroniMember
{
    [JsonPropertyName("name")] public string Name { get; init; } = string.Empty;

    /// <summary>leader, standby_leader, sync_standby or replica.</summary>
    [JsonPropertyName("role")] public string Role { get; init; } = string.Empty;

    /// <summary>running, streaming (3.0.4+), stopped, starting, crashed, ...</summary>
    [JsonPropertyName("state")] public string State { get; init; } = string.Empty;

    [JsonPropertyName("api_url")] public string? ApiUrl { get; init; }
    [JsonPropertyName("host")] public string? Host { get; init; }
    [JsonPropertyName("port")] public int? Port { get; init; }
    [JsonPropertyName("timeline")] public int? Timeline { get; init; }

    /// <summary>Bytes behind the leader's last LSN in the DCS, or the string "unknown"; absent on the leader.</summary>
    [JsonPropertyName("lag")] public JsonElement Lag { get; init; }

    [JsonPropertyName("tags")] public Dictionary<string, JsonElement>? Tags { get; init; }

    [JsonIgnore] public bool IsLeader => Role is "leader" or "standby_leader";

    /// <summary>Patroni lists it as the synchronous standby (synchronous_mode).</summary>
    [JsonIgnore] public bool IsSync => Role == "sync_standby";

    [JsonIgnore] public bool IsRunning => State is "running" or "streaming";

    /// <summary>The lag in bytes, or null when Patroni reports it as unknown (or it is absent).</summary>
    [JsonIgnore]
    public long? LagBytes => Lag.ValueKind == JsonValueKind.Number && Lag.TryGetInt64(out var lag) ? lag : null;

    [JsonIgnore]
    public bool NoFailover => Tags is not null && Tags.TryGetValue("nofailover", out var v) && v.ValueKind == JsonValueKind.True;
}
