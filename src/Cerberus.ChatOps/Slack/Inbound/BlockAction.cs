namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>One element of a block_actions payload's <c>actions[]</c>.</summary>
internal sealed record BlockAction(string ActionId, string? BlockId, string? Value, string ActionTs);
