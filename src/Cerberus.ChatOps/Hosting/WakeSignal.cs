using System.Threading.Channels;

namespace Cerberus.ChatOps.Hosting;

/// <summary>
/// Wakes a polling worker early. Notifications coalesce (one pending at most); the waiter also wakes on its own
/// after the timeout, because the durable store, not the signal, is the source of truth.
/// </summary>
internal class WakeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Notify() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The timeout: time to look at the store anyway.
        }
    }
}
