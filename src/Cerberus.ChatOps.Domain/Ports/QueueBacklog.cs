namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>How much waits in a durable queue: the items not finished yet and when the oldest of them arrived.</summary>
/// <param name="Count">Items waiting (claimed ones included).</param>
/// <param name="OldestAt">When the oldest waiting item was stored; null when nothing waits.</param>
public sealed record QueueBacklog(int Count, DateTimeOffset? OldestAt)
{
    public static readonly QueueBacklog Empty = new(0, null);

    /// <summary>How long the oldest item has waited at <paramref name="now"/> (zero when nothing waits).</summary>
    public TimeSpan OldestAge(DateTimeOffset now) => OldestAt is { } at && now > at ? now - at : TimeSpan.Zero;
}
