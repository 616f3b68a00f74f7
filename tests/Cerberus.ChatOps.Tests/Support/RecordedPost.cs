using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>A message posted through <see cref="RecordingSlackApi"/>.</summary>
internal sealed record RecordedPost(string Channel, string Ts, string? ThreadTs, string? OutboxId, SlackMessage Message);
