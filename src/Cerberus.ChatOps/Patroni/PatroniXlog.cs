using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Patroni;

/// <summary>The <c>xlog</c> of <c>GET /patroni</c>: location on a primary, received/replayed on a replica.</summary>
internal sealed record PatroniXlog
{
    [JsonPropertyName("location")] public long? Location { get; init; }
    [JsonPropertyName("received_location")] public long? ReceivedLocation { get; init; }
    [JsonPropertyName("replayed_location")] public long? ReplayedLocation { get; init; }
    [JsonPropertyName("replayed_timestamp")] public string? ReplayedTimestamp { get; init; }
    [JsonPropertyName("paused")] public bool? Paused { get; init; }
}
