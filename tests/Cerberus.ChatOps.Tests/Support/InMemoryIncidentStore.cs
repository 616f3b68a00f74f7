using System.Collections.Concurrent;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// A hand-written in-memory <see cref="IIncidentStore"/> for tests: keeps snapshots (so a reader never shares an
/// instance with a writer), checks versions like the real stores, and can be told to fail.
/// </summary>
internal sealed class InMemoryIncidentStore : IIncidentStore
{
    private readonly ConcurrentDictionary<string, IncidentSnapshot> _incidents = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<OutboxItem> _outbox = new();
    private int _sequence;

    /// <summary>When set, every call throws it (a store that is down).</summary>
    public Exception? FailWith { get; set; }

    public IReadOnlyCollection<OutboxItem> Outbox => _outbox;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.CompletedTask;
    }

    public Task<string> AllocateIncidentIdAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        var n = Interlocked.Increment(ref _sequence);
        return Task.FromResult(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"INC-{now.UtcDateTime.Year}-{n:0000}"));
    }

    public Task<Incident?> GetAsync(string incidentId, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult(_incidents.TryGetValue(incidentId, out var s) ? Incident.Restore(s) : null);
    }

    public Task<Incident?> FindOpenInChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        var snapshot = _incidents.Values.FirstOrDefault(s => s.Channel == channelId && Incident.Restore(s).IsOpen);
        return Task.FromResult(snapshot is null ? null : Incident.Restore(snapshot));
    }

    public Task<IReadOnlyList<IncidentSummary>> ListAsync(bool openOnly, int limit, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        IReadOnlyList<IncidentSummary> list = _incidents.Values
            .Select(Incident.Restore)
            .Where(i => !openOnly || i.IsOpen)
            .OrderByDescending(i => i.DeclaredAt)
            .Take(limit)
            .Select(i => new IncidentSummary(i.Id, i.Channel, i.Summary, i.State, i.Commander, i.DeclaredAt, i.ResolvedAt, i.Drill))
            .ToList();
        return Task.FromResult(list);
    }

    public Task<IReadOnlyList<IncidentClock>> ListOpenClocksAsync(int limit, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        IReadOnlyList<IncidentClock> list = _incidents.Values
            .Select(Incident.Restore)
            .Where(i => i.IsOpen)
            .OrderBy(i => i.DeclaredAt)
            .Take(limit)
            .Select(IncidentClock.Of)
            .ToList();
        return Task.FromResult(list);
    }

    public Task SaveAsync(Incident incident, IReadOnlyList<OutboxItem> outbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(outbox);
        ThrowIfFailing();
        var stored = _incidents.TryGetValue(incident.Id, out var s) ? s.Version : 0;
        if (stored != incident.Version)
        {
            throw new ConcurrencyConflictException($"{incident.Id}: stored version {stored}, saving {incident.Version}");
        }

        incident.Version++;
        _incidents[incident.Id] = incident.ToSnapshot();
        foreach (var item in outbox)
        {
            _outbox.Enqueue(item);
        }

        return Task.CompletedTask;
    }

    private void ThrowIfFailing()
    {
        if (FailWith is not null)
        {
            throw FailWith;
        }
    }
}
