namespace Cerberus.ChatOps.Slack.Api;

/// <summary>What auth.test says about the bot token (never the token itself).</summary>
internal sealed record SlackAuthInfo(string Team, string TeamId, string User, string UserId);
