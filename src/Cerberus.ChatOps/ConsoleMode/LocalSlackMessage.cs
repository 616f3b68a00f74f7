using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>One message of the local Slack, as the console page shows it.</summary>
/// <param name="Seq">Bumped on every change; the page asks for what changed since its last seq.</param>
/// <param name="Kind"><c>message</c>, <c>ephemeral</c> (only the console user sees it), <c>command</c> (the typed command) or <c>file</c>.</param>
internal sealed record LocalSlackMessage(
    long Seq,
    string Kind,
    string Channel,
    string Ts,
    string? ThreadTs,
    string Text,
    JsonNode? Blocks,
    JsonNode? Metadata,
    JsonNode? Files,
    bool Edited);
