using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Paging;

/// <summary>
/// One Events API v2 event as the outbox keeps it: everything but the routing key, which the sender adds from the
/// environment (a secret never stored with the message). <see cref="DedupKey"/> is the incident id, so a retried
/// trigger never opens a second PagerDuty incident.
/// </summary>
internal sealed record PagerDutyEvent
{
    public const string Trigger = "trigger";
    public const string Acknowledge = "acknowledge";
    public const string Resolve = "resolve";

    [JsonPropertyName("event_action")]
    public required string EventAction { get; init; }

    [JsonPropertyName("dedup_key")]
    public required string DedupKey { get; init; }

    /// <summary>Only for a trigger.</summary>
    [JsonPropertyName("payload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PagerDutyPayload? Payload { get; init; }

    [JsonPropertyName("client")]
    public string Client { get; init; } = "Cerberus ChatOps";

    [JsonPropertyName("links")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<PagerDutyLink>? Links { get; init; }
}

internal sealed record PagerDutyPayload
{
    [JsonPropertyName("summary")]
    public required string Summary { get; init; }

    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary>critical, error, warning or info.</summary>
    [JsonPropertyName("severity")]
    public required string Severity { get; init; }

    [JsonPropertyName("timestamp")]
    public DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("component")]
    public string Component { get; init; } = "postgresql";

    [JsonPropertyName("class")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Class { get; init; }

    [JsonPropertyName("custom_details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? CustomDetails { get; init; }
}

internal sealed record PagerDutyLink([property: JsonPropertyName("href")] string Href, [property: JsonPropertyName("text")] string Text);
