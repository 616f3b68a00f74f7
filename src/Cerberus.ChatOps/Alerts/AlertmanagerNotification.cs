using System.Text.Json.Serialization;

namespace Cerberus.ChatOps.Alerts;

/// <summary>Alertmanager's webhook body, version 4 (<c>notify/webhook</c>: the fields the bot reads).</summary>
internal sealed record AlertmanagerNotification
{
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("groupKey")]
    public string? GroupKey { get; init; }

    [JsonPropertyName("truncatedAlerts")]
    public int TruncatedAlerts { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("receiver")]
    public string? Receiver { get; init; }

    [JsonPropertyName("commonLabels")]
    public Dictionary<string, string>? CommonLabels { get; init; }

    [JsonPropertyName("commonAnnotations")]
    public Dictionary<string, string>? CommonAnnotations { get; init; }

    [JsonPropertyName("externalURL")]
    public string? ExternalUrl { get; init; }

    [JsonPropertyName("alerts")]
    public List<AlertmanagerAlert>? Alerts { get; init; }
}

/// <summary>One alert of a notification.</summary>
internal sealed record AlertmanagerAlert
{
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("startsAt")]
    public DateTimeOffset StartsAt { get; init; }

    [JsonPropertyName("endsAt")]
    public DateTimeOffset EndsAt { get; init; }

    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; init; }

    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; init; }
}
