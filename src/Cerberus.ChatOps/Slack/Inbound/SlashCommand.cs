namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>A slash command as Slack sends it (form fields), after the signature was verified.</summary>
internal sealed record SlashCommand(
    string TeamId,
    string ChannelId,
    string ChannelName,
    string UserId,
    string UserName,
    string Command,
    string Text,
    string ResponseUrl,
    string TriggerId,
    string? ApiAppId = null);
