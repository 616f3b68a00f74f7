namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// One message waiting to leave: persisted with the state change that caused it, sent by the outbox worker,
/// retried until delivered, never delivered twice.
/// </summary>
public sealed record OutboxItem
{
    /// <summary>Unique id and idempotency key of the message.</summary>
    public required string Id { get; init; }

    /// <summary>The incident it belongs to ("" for messages outside an incident).</summary>
    public required string IncidentId { get; init; }

    /// <summary>How to send it, e.g. post, thread, update, ephemeral, response_url, file (see the Slack outbox).</summary>
    public required string Kind { get; init; }

    /// <summary>The channel it goes to.</summary>
    public required string Channel { get; init; }

    /// <summary>The transport payload as JSON (Block Kit message, file content, ...).</summary>
    public required string Payload { get; init; }

    /// <summary>For a post: the name under which its ts is remembered (e.g. "header"); for an update or a thread reply: the name it refers to.</summary>
    public string? MessageRef { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public OutboxStatus Status { get; init; } = OutboxStatus.Pending;

    public int Attempts { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>The last error (Slack error code or HTTP status), free of secrets.</summary>
    public string? LastError { get; init; }

    /// <summary>Slack's ts of the delivered message.</summary>
    public string? ResultTs { get; init; }

    /// <summary>The owner of its current claim (null when nobody is sending it).</summary>
    public string? ClaimedBy { get; init; }
}
