using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// The leader watch, one pass per <see cref="IncidentOptions.LeaderWatchInterval"/>, run by the timers (so with several
/// replicas only the timers' lease holder watches). One look at the cluster serves every open real incident: the
/// believed <c>/cluster</c>, <c>/history</c>, every member's own <c>/patroni</c> (and of former leaders that dropped out
/// of <c>/cluster</c>, where they were last seen), and <c>pg_is_in_recovery()</c> of a member whose <c>/patroni</c> did
/// not answer (a frozen or dead Patroni leaves its PostgreSQL running). Each incident's <see cref="LeaderWatch"/>
/// decides what is new; a new event is posted in the thread and the header is updated in the same save.
/// </summary>
internal sealed partial class LeaderWatcher(
    IIncidentStore store,
    IncidentMutator mutator,
    IServiceScopeFactory scopes,
    IOptionsMonitor<IncidentOptions> options,
    TimeProvider time,
    ILogger<LeaderWatcher> logger)
{
    /// <summary>How long PostgreSQL of a member without a /patroni answer may take to accept a connection.</summary>
    private static readonly TimeSpan MemberConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The whole look is bounded: a hung member never holds up the timers for long.</summary>
    private static readonly TimeSpan LookBudget = TimeSpan.FromSeconds(8);

    private DateTimeOffset? _lastLook;

    /// <summary>One pass when the interval has passed since the last; nothing when no real incident is open or Patroni is not configured.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var interval = options.CurrentValue.LeaderWatchInterval;
        var now = time.GetUtcNow();
        if (interval <= TimeSpan.Zero || (_lastLook is { } last && now - last < interval))
        {
            return;
        }

        _lastLook = now;
        await WatchOnceAsync(cancellationToken);
    }

    /// <summary>One look and its comparison with every open real incident's watch; returns the events posted.</summary>
    public async Task<IReadOnlyList<LeaderWatchEvent>> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var open = (await store.ListAsync(openOnly: true, limit: 500, cancellationToken)).Where(s => !s.Drill).ToList();
        if (open.Count == 0)
        {
            return [];
        }

        using var scope = scopes.CreateScope();
        if (scope.ServiceProvider.GetService<IPatroniClient>() is not { Members.Count: > 0 } patroni)
        {
            return [];
        }

        var incidents = new List<Incident>();
        foreach (var summary in open)
        {
            if (await store.GetAsync(summary.Id, cancellationToken) is { IsOpen: true, Drill: false } incident)
            {
                incidents.Add(incident);
            }
        }

        // Former leaders that may have dropped out of /cluster: asked where they were last seen.
        var known = new Dictionary<string, MemberAddress>(StringComparer.Ordinal);
        foreach (var (name, address) in incidents.SelectMany(i => i.LeaderWatch?.Addresses ?? []))
        {
            known.TryAdd(name, address);
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(LookBudget);
        LeaderObservation observation;
        try
        {
            var look = await ClusterLookReader.ReadAsync(patroni, known.ToDictionary(k => k.Key, k => k.Value.ApiUrl, StringComparer.Ordinal), budget.Token);
            observation = await ObserveAsync(look, known, scope.ServiceProvider.GetService<PostgresConnectionFactory>(), budget.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.LookTimedOut(logger, LookBudget);
            return [];
        }

        var posted = new List<LeaderWatchEvent>();
        foreach (var incident in incidents)
        {
            // A dry run on the loaded copy: only an incident whose watch changes is loaded again and saved.
            var before = incident.LeaderWatch;
            if (incident.WatchLeaders(observation, time.GetUtcNow()).Count == 0 && ReferenceEquals(before, incident.LeaderWatch))
            {
                continue;
            }

            await mutator.MutateAsync(incident.Id, (i, batch, at) =>
            {
                var events = i.WatchLeaders(observation, at);
                foreach (var e in events)
                {
                    batch.Thread(LeaderWatchMessages.Event(i, e));
                    Log.Event(logger, i.Id, e.Kind, e.Text);
                }

                if (events.Count > 0)
                {
                    batch.UpdateHeader(IncidentMessages.Header(i, options.CurrentValue.Contacts, at));
                    posted.AddRange(events);
                }

                return DomainResult.Ok();
            }, cancellationToken);
        }

        return posted;
    }

    /// <summary>The look as the domain reads it; PostgreSQL is asked only for members whose /patroni did not answer a running state.</summary>
    private static async Task<LeaderObservation> ObserveAsync(
        ClusterLook look,
        IReadOnlyDictionary<string, MemberAddress> known,
        PostgresConnectionFactory? postgres,
        CancellationToken cancellationToken)
    {
        var leader = look.Leader?.Name;
        var members = new List<MemberObservation>();
        foreach (var m in look.Cluster?.Members ?? [])
        {
            var status = look.Status(m.Name);
            members.Add(new MemberObservation(m.Name, m.Role, m.State, look.TimelineOf(m.Name), status?.Role, status?.State, null, new MemberAddress(m.ApiUrl, m.Host, m.Port)));
        }

        foreach (var (name, address) in known.Where(k => look.Member(k.Key) is null))
        {
            var status = look.Status(name);
            members.Add(new MemberObservation(name, null, status?.State, status?.Timeline, status?.Role, status?.State, null, address));
        }

        if (postgres is { IsConfigured: true })
        {
            var asked = await Task.WhenAll(members.Select(async m =>
                !m.ReportedByPostgres && !string.Equals(m.Name, leader, StringComparison.Ordinal) && m.Address is { Host: { Length: > 0 } host, Port: { } port }
                    ? m with { InRecovery = await InRecoveryAsync(postgres, new PostgresEndpoint(host, port), cancellationToken) }
                    : m));
            members = [.. asked];
        }

        return new LeaderObservation
        {
            Leader = leader,
            LeaderTimeline = look.LeaderTimeline,
            HistoryTimeline = look.HistoryTimeline,
            HistoryPreviousLeader = look.HistoryPreviousLeader,
            HistoryAt = look.HistoryAt,
            Members = members,
            PatroniVersion = look.PatroniVersion,
        };
    }

    /// <summary>pg_is_in_recovery() of one member with the diagnostics' role, or null when it does not answer in time.</summary>
    private static async Task<bool?> InRecoveryAsync(PostgresConnectionFactory postgres, PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = postgres.Create(endpoint, MemberConnectTimeout);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(MemberConnectTimeout * 2);
            await connection.OpenAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            return await command.ExecuteScalarAsync(timeout.Token) is bool inRecovery ? inRecovery : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or ArgumentException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Incident {IncidentId}: leader watch {Kind}: {Text}")]
        public static partial void Event(ILogger logger, string incidentId, LeaderWatchEventKind kind, string text);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Leader watch: the look at the cluster took longer than {Budget}; trying again next interval")]
        public static partial void LookTimedOut(ILogger logger, TimeSpan budget);
    }
}
