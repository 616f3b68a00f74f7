using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// An in-memory <see cref="IOutboxStore"/> with the port's semantics (due heads per channel; conditional, re-entrant
/// claims judged by <see cref="Clock"/>, the "database's" clock; writes only under the claim); it keeps every status
/// change for assertions.
/// </summary>
public sealed class InMemoryOutboxStore : IOutboxStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OutboxItem> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _claimedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _seq = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), (string Channel, string Ts)> _refs = [];
    private readonly List<OutboxItem> _history = [];
    private long _sequence;

    /// <summary>The store's own clock, which judges claim timeouts.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

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

    /// <summary>Every version of every item written through <see cref="UpdateClaimedAsync"/>, in order.</summary>
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
                if (_items.TryAdd(item.Id, item))
                {
                    _seq[item.Id] = ++_sequence;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<QueueBacklog> BacklogAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var waiting = _items.Values.Where(i => i.Status is OutboxStatus.Pending or OutboxStatus.InFlight).Select(i => i.CreatedAt).ToList();
            return Task.FromResult(new QueueBacklog(waiting.Count, waiting.Count == 0 ? null : waiting.Min()));
        }
    }

    public Task<IReadOnlyList<OutboxItem>> ListDueAsync(DateTimeOffset now, int max, int maxPerChannel, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<OutboxItem>>([.. _items.Values
                .Where(i => i.Status is OutboxStatus.Pending or OutboxStatus.InFlight)
                .OrderBy(i => _seq[i.Id])
                .GroupBy(i => string.IsNullOrEmpty(i.Channel) ? "incident:" + i.IncidentId : i.Channel, StringComparer.Ordinal)
                .SelectMany(g => g.TakeWhile(i => i.NextAttemptAt <= now).Take(maxPerChannel))
                .OrderBy(i => _seq[i.Id])
                .Take(max)]);
        }
    }

    public Task<OutboxItem?> TryClaimAsync(string id, string owner, DateTimeOffset now, TimeSpan claimTimeout, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var clock = Clock.GetUtcNow();
            if (!_items.TryGetValue(id, out var item) || item.Status is not (OutboxStatus.Pending or OutboxStatus.InFlight) || item.NextAttemptAt > now
                || (item.ClaimedBy is { } holder && holder != owner && _claimedAt[id] > clock - claimTimeout))
            {
                return Task.FromResult<OutboxItem?>(null);
            }

            var claimed = item with { ClaimedBy = owner };
            _items[id] = claimed;
            _claimedAt[id] = clock;
            return Task.FromResult<OutboxItem?>(claimed);
        }
    }

    public Task<bool> UpdateClaimedAsync(OutboxItem item, string owner, bool release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            if (!_items.TryGetValue(item.Id, out var stored) || stored.ClaimedBy != owner)
            {
                return Task.FromResult(false);
            }

            var written = item with { ClaimedBy = release ? null : owner };
            _items[item.Id] = written;
            _claimedAt[item.Id] = Clock.GetUtcNow();
            _history.Add(written);
        }

        return Task.FromResult(true);
    }

    public Task PruneSentAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var item in _items.Values.Where(i => i.Status == OutboxStatus.Sent && i.CreatedAt < before).ToList())
            {
                _items.Remove(item.Id);
            }
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
