using System.Net.WebSockets;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>One WebSocket the fake Socket Mode server accepted.</summary>
public sealed class FakeSocketConnection(int id, WebSocket socket, DateTimeOffset connectedAt)
{
    public int Id { get; } = id;

    public WebSocket Socket { get; } = socket;

    public DateTimeOffset ConnectedAt { get; } = connectedAt;

    public DateTimeOffset? ClosedAt { get; set; }

    public bool IsOpen => ClosedAt is null && Socket.State == WebSocketState.Open;

    public SemaphoreSlim SendLock { get; } = new(1, 1);
}
