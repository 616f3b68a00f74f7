using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// An in-memory <see cref="IInboxStore"/> with the port's semantics: dedupe on the key in one step; claims that are
/// conditional, re-entrant for their owner and judged by <see cref="Clock"/> (the "database's" clock); finishing
/// only while the claim is held.
/// </summary>
public sealed class InMemoryInboxStore : IInboxStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Seq, InboundItem Item, DateTimeOffset? ClaimedAt)> _items = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>When set, every call throws it (the store is down).</summary>
    public Exception? Failure { get; set; }

    /// <summary>The store's own clock, which judges claim timeouts.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public IReadOnlyList<InboundItem> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items.Values.OrderBy(e => e.Seq).Select(e => e.Item)];
            }
        }
    }

    public InboundItem Get(string key)
    {
        lock (_lock)
        {
            return _items[key].Item;
        }
    }

    public Task<bool> TryAddAsync(InboundItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfFailing();
        lock (_lock)
        {
            return Task.FromResult(_items.TryAdd(item.Key, (++_sequence, item, null)));
        }
    }

    public Task<IReadOnlyList<InboundItem>> ListPendingAsync(int max, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<InboundItem>>([.. _items.Values.Where(e => !e.Item.Done).OrderBy(e => e.Seq).Take(max).Select(e => e.Item)]);
        }
    }

    public Task<QueueBacklog> BacklogAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            var waiting = _items.Values.Where(e => !e.Item.Done).Select(e => e.Item.ReceivedAt).ToList();
            return Task.FromResult(new QueueBacklog(waiting.Count, waiting.Count == 0 ? null : waiting.Min()));
        }
    }

    public Task<InboundItem?> TryClaimAsync(string key, string owner, TimeSpan claimTimeout, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            var now = Clock.GetUtcNow();
            if (!_items.TryGetValue(key, out var entry) || entry.Item.Done
                || (entry.Item.ClaimedBy is { } holder && holder != owner && entry.ClaimedAt > now - claimTimeout))
            {
                return Task.FromResult<InboundItem?>(null);
            }

            var claimed = entry.Item with { ClaimedBy = owner, Attempts = entry.Item.Attempts + 1 };
            _items[key] = (entry.Seq, claimed, now);
            return Task.FromResult<InboundItem?>(claimed);
        }
    }

    public Task<bool> MarkDoneAsync(string key, string owner, CancellationToken cancellationToken) =>
        Task.FromResult(Finish(key, owner, i => i with { Done = true, ClaimedBy = null, LastError = null }));

    public Task<bool> ReleaseAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(Finish(key, owner, i => i with { ClaimedBy = null, LastError = reason }));

    public Task<bool> SetAsideAsync(string key, string owner, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(Finish(key, owner, i => i with { Done = true, SetAside = true, ClaimedBy = null, LastError = reason }));

    public Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            foreach (var entry in _items.Values.Where(e => e.Item.Done && e.Item.ReceivedAt < before).ToList())
            {
                _items.Remove(entry.Item.Key);
            }
        }

        return Task.CompletedTask;
    }

    private bool Finish(string key, string owner, Func<InboundItem, InboundItem> change)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            if (!_items.TryGetValue(key, out var entry) || entry.Item.ClaimedBy != owner)
            {
                return false;
            }

            _items[key] = (entry.Seq, change(entry.Item), null);
            return true;
        }
    }

    private void ThrowIfFailing()
    {
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
