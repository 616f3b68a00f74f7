using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// Paces chat.* calls to one per <see cref="SlackOptions.ChatInterval"/> per channel (Slack: about 1 message a
/// second per channel). Each caller takes the next free slot of its channel and waits for it; channels are independent.
/// </summary>
internal sealed class SlackChannelPacer(IOptionsMonitor<SlackOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _next = new(StringComparer.Ordinal);

    public Task WaitTurnAsync(string channel, CancellationToken cancellationToken)
    {
        var interval = options.CurrentValue.ChatInterval;
        var now = time.GetUtcNow();
        var slot = now;
        _next.AddOrUpdate(
            channel,
            _ => now + interval,
            (_, next) =>
            {
                slot = next > now ? next : now;
                return slot + interval;
            });
        var wait = slot - now;
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }
}
