namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// A request from Slack (or the CLI or the console), accepted and acknowledged. Its <see cref="Key"/> is the
/// dedupe key (trigger_id, user + action_ts, event_id); it is stored before the ack, so a restart loses nothing.
/// </summary>
public sealed record InboundItem
{
    public required string Key { get; init; }

    /// <summary>command, interaction or event.</summary>
    public required string Kind { get; init; }

    /// <summary>The parsed request as JSON.</summary>
    public required string Payload { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public bool Done { get; init; }
}
