namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// An interactive payload (block_actions, view_submission...) reduced to what the bot uses. The message that
/// carried the button is <see cref="ChannelId"/> + <see cref="MessageTs"/>.
/// </summary>
internal sealed record InteractionPayload(
    string Type,
    string TeamId,
    string UserId,
    string? UserName,
    string? ChannelId,
    string? MessageTs,
    string? ResponseUrl,
    string? TriggerId,
    IReadOnlyList<BlockAction> Actions);
