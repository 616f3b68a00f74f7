using System.Collections.Concurrent;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>An in-memory <see cref="IInboxStore"/> with the port's semantics (dedupe on the key, in one step).</summary>
public sealed class InMemoryInboxStore : IInboxStore
{
    private readonly ConcurrentDictionary<string, InboundItem> _items = new(StringComparer.Ordinal);

    /// <summary>When set, every call throws it (the store is down).</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<InboundItem> Items => [.. _items.Values.OrderBy(i => i.ReceivedAt)];

    public Task<bool> TryAddAsync(InboundItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfFailing();
        return Task.FromResult(_items.TryAdd(item.Key, item));
    }

    public Task<IReadOnlyList<InboundItem>> ListPendingAsync(int max, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult<IReadOnlyList<InboundItem>>([.. _items.Values.Where(i => !i.Done).OrderBy(i => i.ReceivedAt).Take(max)]);
    }

    public Task MarkDoneAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        if (_items.TryGetValue(key, out var item))
        {
            _items[key] = item with { Done = true };
        }

        return Task.CompletedTask;
    }

    public Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        foreach (var item in _items.Values.Where(i => i.Done && i.ReceivedAt < before))
        {
            _items.TryRemove(item.Key, out _);
        }

        return Task.CompletedTask;
    }

    private void ThrowIfFailing()
    {
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
