namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Where a private answer goes: the <paramref name="Sink"/> when the caller is not Slack (the CLI), else the
/// response_url of the request when there is one, else an ephemeral message.
/// </summary>
internal sealed record ReplyTarget(string ChannelId, string UserId, string? ResponseUrl, IReplySink? Sink = null);
