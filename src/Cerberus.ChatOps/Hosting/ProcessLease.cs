using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Hosting;

/// <summary>
/// This process's identity for named leases. With several replicas on the PostgreSQL store, the inbox worker,
/// the outbox worker and the timers each run on one replica at a time; when it dies, its lease lapses and another
/// replica takes over. On the SQLite store there is one replica and it always holds them.
/// </summary>
internal sealed class ProcessLease(ILeaseStore leases, TimeProvider time)
{
    public const string Inbox = "inbox-worker";
    public const string Outbox = "outbox-worker";
    public const string Timers = "incident-timers";

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Takes or renews the lease for <paramref name="duration"/>; false while another replica holds it.</summary>
    public Task<bool> TryHoldAsync(string name, TimeSpan duration, CancellationToken cancellationToken) =>
        leases.TryAcquireAsync(name, Owner, duration, time.GetUtcNow(), cancellationToken);
}
