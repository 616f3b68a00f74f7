namespace Cerberus.ChatOps.Slack.Api;

/// <summary>What the resilience pipeline needs to know about a request: its method and whether repeating it is safe.</summary>
internal sealed record SlackCall(string Method, bool Idempotent)
{
    public static readonly HttpRequestOptionsKey<SlackCall> Key = new("cerberus.slack.call");
}
