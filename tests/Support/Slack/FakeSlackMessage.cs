using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>A message the fake Slack holds (posted by chat.postMessage or by a file share).</summary>
public sealed record FakeSlackMessage(string Channel, string Ts, string? ThreadTs, string Text, JsonNode? Blocks, JsonNode? Metadata, JsonArray? Files)
{
    public string? OutboxId => Metadata?["event_payload"]?["outbox_id"]?.GetValue<string>();
}
