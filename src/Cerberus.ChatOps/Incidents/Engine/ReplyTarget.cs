namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>Where a private answer goes: the response_url of the request when there is one, else an ephemeral message.</summary>
public sealed record ReplyTarget(string ChannelId, string UserId, string? ResponseUrl);
