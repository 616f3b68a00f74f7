using System.Text.Json;

namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>The one JSON form of <see cref="SlackMessage"/> as an outbox payload (written by the engine, read by the outbox worker).</summary>
internal static class SlackMessageJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(SlackMessage message) => JsonSerializer.Serialize(message, Options);

    public static SlackMessage Deserialize(string json) =>
        JsonSerializer.Deserialize<SlackMessage>(json, Options) ?? throw new JsonException("empty outbox payload");
}
