using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary><c>GET /patroni</c> of one member (3.0.x: role is "master" or "replica").</summary>
internal sealed record PatroniNodeStatus
{
    [JsonPropertyName("state")] public string? State { get; init; }
    [JsonPropertyName("role")] public string? Role { get; init; }
    [JsonPropertyName("server_version")] public int? ServerVersion { get; init; }
    [JsonPropertyName("timeline")] public int? Timeline { get; init; }
    [JsonPropertyName("xlog")] public PatroniXlog? Xlog { get; init; }
    [JsonPropertyName("cluster_unlocked")] public bool? ClusterUnlocked { get; init; }
    [JsonPropertyName("pause")] public bool? Pause { get; init; }
    [JsonPropertyName("dcs_last_seen")] public long? DcsLastSeen { get; init; }

    /// <summary>3.0.2 <c>api.py</c> <c>get_postgresql_status</c>: sent (true) only while <c>ha.failsafe_is_active()</c>.</summary>
    [JsonPropertyName("failsafe_mode_is_active")] public bool? FailsafeModeIsActive { get; init; }
    [JsonPropertyName("pending_restart")] public bool? PendingRestart { get; init; }
    [JsonPropertyName("postmaster_start_time")] public string? PostmasterStartTime { get; init; }
    [JsonPropertyName("patroni")] public Dictionary<string, string>? Patroni { get; init; }

    [JsonIgnore] public bool IsPrimary => Role is "master" or "primary";
}
