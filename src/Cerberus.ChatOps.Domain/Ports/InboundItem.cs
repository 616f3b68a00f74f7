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

    /// <summary>How many times it was claimed for processing (persisted: it survives restarts and replicas).</summary>
    public int Attempts { get; init; }

    /// <summary>The owner of its current (or last unreleased) claim.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>Why the last attempt failed, or why it was set aside (free of secrets).</summary>
    public string? LastError { get; init; }

    /// <summary>Done without being handled: it kept failing, and the user was told.</summary>
    public bool SetAside { get; init; }
}
