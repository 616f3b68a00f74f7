using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Store;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Hosting;

/// <summary>
/// This process's identity for named leases. With several replicas on the PostgreSQL store, the inbox worker,
/// the outbox worker and the timers each run on one replica at a time; when it dies, its lease lapses and another
/// replica takes over. On the SQLite store there is one replica and it always holds them: a process restarted
/// after a crash (kill -9, OOM) must not wait for its dead predecessor's lease to lapse before it answers and sends.
/// </summary>
internal sealed class ProcessLease(ILeaseStore leases, IOptions<StoreOptions> store, TimeProvider time)
{
    public const string Inbox = "inbox-worker";
    public const string Outbox = "outbox-worker";
    public const string Timers = "incident-timers";

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Takes or renews the lease for <paramref name="duration"/>; false while another replica holds it.</summary>
    public Task<bool> TryHoldAsync(string name, TimeSpan duration, CancellationToken cancellationToken) =>
        store.Value.Provider == StoreProvider.Sqlite
            ? Task.FromResult(true)
            : leases.TryAcquireAsync(name, Owner, duration, time.GetUtcNow(), cancellationToken);
}
