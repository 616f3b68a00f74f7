namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>One Web API call the fake Slack received: method, form fields, Authorization header, when, and what it answered.</summary>
public sealed record FakeSlackCall(string Method, IReadOnlyDictionary<string, string> Form, string? Authorization, DateTimeOffset At, int Status, string? Error);
