namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>A channel the fake Slack holds; <paramref name="Created"/> is Unix seconds, as Slack gives it.</summary>
public sealed record FakeSlackChannel(string Id, string Name, bool IsPrivate, long Created, bool BotIsMember);
