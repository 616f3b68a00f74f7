using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>
/// An outgoing message: fallback text (always present, for notifications and accessibility) and Block Kit blocks.
/// Serialized as the payload of an outbox item.
/// </summary>
internal sealed record SlackMessage
{
    /// <summary>The top-level fallback <c>text</c>; Slack requires it beside blocks for notifications.</summary>
    public required string Text { get; init; }

    /// <summary>Block Kit blocks (≤ 50), built with <see cref="BlockKit.MessageBuilder"/>.</summary>
    public JsonArray? Blocks { get; init; }

    /// <summary>For ephemeral messages: who sees it.</summary>
    public string? User { get; init; }

    /// <summary>For <see cref="OutboxKinds.ResponseUrl"/>: where to POST.</summary>
    public string? ResponseUrl { get; init; }

    /// <summary>For response_url posts: <c>ephemeral</c> (default) or <c>in_channel</c>.</summary>
    public string? ResponseType { get; init; }

    /// <summary>For response_url posts from a button: replace the message that carried it.</summary>
    public bool ReplaceOriginal { get; init; }

    /// <summary>For <see cref="OutboxKinds.File"/>.</summary>
    public SlackFile? File { get; init; }

    /// <summary>For <see cref="OutboxKinds.OpenChannel"/>: the channel to open before this message (the header) is posted.</summary>
    public SlackNewChannel? NewChannel { get; init; }
}
