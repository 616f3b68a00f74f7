using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary><c>GET /cluster</c>: the cluster as the DCS sees it, served by any member.</summary>
public sealed record PatroniCluster
{
    [JsonPropertyName("members")] public List<PatroniMember> Members { get; init; } = [];

    [JsonPropertyName("pause")] public bool? Pause { get; init; }

    [JsonPropertyName("scheduled_switchover")] public Dictionary<string, object>? ScheduledSwitchover { get; init; }

    [JsonIgnore] public PatroniMember? Leader => Members.FirstOrDefault(m => m.IsLeader);

    [JsonIgnore] public IEnumerable<PatroniMember> Replicas => Members.Where(m => !m.IsLeader);
}
