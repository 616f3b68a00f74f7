using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Store;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Hosting;

/// <summary>
/// This process's identity for named leases and for item claims. With several replicas on the PostgreSQL store, the
/// inbox worker, the outbox worker and the timers each run on one replica at a time; when it dies, its lease lapses
/// (by the database's clock) and another replica takes over. Safety does not rest on the lease: every inbox and outbox
/// item is claimed one by one under <see cref="Owner"/>, so a replica whose lease lapsed mid-pass and one that took
/// over never handle the same item. On the SQLite store there is one replica and it always holds the leases, and its
/// owner name is the same across restarts: a process restarted after a crash (kill -9, OOM) must not wait for its dead
/// predecessor's leases or claims to lapse before it answers and sends (claims are re-entrant for their owner; an
/// InFlight outbox item is still looked up in Slack before it is sent again).
/// </summary>
internal sealed class ProcessLease(ILeaseStore leases, IOptions<StoreOptions> store)
{
    public const string Inbox = "inbox-worker";
    public const string Outbox = "outbox-worker";
    public const string Timers = "incident-timers";

    /// <summary>
    /// How long the inbox and outbox workers' leases last. They are renewed every pass (at least every 2 s) and per
    /// item, so this is how long a replica that died (kill -9, node loss) keeps the others from answering clicks and
    /// sending messages. A pass that outlasts it loses the lease, and its claims keep the next holder off its items.
    /// </summary>
    public static readonly TimeSpan WorkerLeaseDuration = TimeSpan.FromSeconds(15);

    /// <summary>The owner of the single replica on SQLite (the same after a restart, in a new pod too).</summary>
    public const string SingleReplica = "single-replica";

    public string Owner { get; } = store.Value.Provider == StoreProvider.Sqlite
        ? SingleReplica
        : $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Takes or renews the lease for <paramref name="duration"/>; false while another replica holds it.</summary>
    public async Task<bool> TryHoldAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        try
        {
            var held = store.Value.Provider == StoreProvider.Sqlite || await leases.TryAcquireAsync(name, Owner, duration, cancellationToken);
            Metrics.CerberusMetrics.LeaseHeldBy(name, held);
            return held;
        }
        catch
        {
            // The store did not answer: this replica cannot say it holds the lease, so the gauge must not either.
            Metrics.CerberusMetrics.LeaseHeldBy(name, false);
            throw;
        }
    }
}
