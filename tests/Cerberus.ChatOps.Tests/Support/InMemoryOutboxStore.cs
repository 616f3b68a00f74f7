using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>An in-memory <see cref="IOutboxStore"/> with the port's semantics; it keeps every status change for assertions.</summary>
public sealed class InMemoryOutboxStore : IOutboxStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OutboxItem> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), (string Channel, string Ts)> _refs = [];
    private readonly List<OutboxItem> _history = [];

    public IReadOnlyList<OutboxItem> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items.Values.OrderBy(i => i.CreatedAt)];
            }
        }
    }

    /// <summary>Every version of every item written through <see cref="UpdateAsync"/>, in order.</summary>
    public IReadOnlyList<OutboxItem> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    public OutboxItem Get(string id)
    {
        lock (_lock)
        {
            return _items[id];
        }
    }

    public Task EnqueueAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (_lock)
        {
            foreach (var item in items)
            {
                _items.Add(item.Id, item);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxItem>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<OutboxItem>>([.. _items.Values
                .Where(i => i.Status is OutboxStatus.Pending or OutboxStatus.InFlight && i.NextAttemptAt <= now)
                .OrderBy(i => i.CreatedAt)
                .Take(max)]);
        }
    }

    public Task UpdateAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            _items[item.Id] = item;
            _history.Add(item);
        }

        return Task.CompletedTask;
    }

    public Task<OutboxItem?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_items.GetValueOrDefault(id));
        }
    }

    public Task SetMessageRefAsync(string incidentId, string name, string channel, string ts, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _refs[(incidentId, name)] = (channel, ts);
        }

        return Task.CompletedTask;
    }

    public Task<(string Channel, string Ts)?> GetMessageRefAsync(string incidentId, string name, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<(string Channel, string Ts)?>(_refs.TryGetValue((incidentId, name), out var r) ? r : null);
        }
    }
}
