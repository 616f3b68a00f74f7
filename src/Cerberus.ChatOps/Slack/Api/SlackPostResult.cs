namespace Cerberus.ChatOps.Slack.Api;

/// <summary>Where a posted message landed: the channel id and its ts.</summary>
internal sealed record SlackPostResult(string Channel, string Ts);
