namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>The channel an <see cref="OutboxKinds.OpenChannel"/> item opens: its name, public or private, and who is invited.</summary>
internal sealed record SlackNewChannel(string Name, bool IsPrivate, IReadOnlyList<string> Invite);
