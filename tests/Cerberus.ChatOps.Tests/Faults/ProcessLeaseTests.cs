using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Store;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Faults;

/// <summary>
/// Found by the kill -9 suite: a host restarted on the same SQLite file waited up to two minutes for the leases of
/// its dead predecessor, so nothing was sent to Slack and no click was handled in that time.
/// </summary>
public sealed class ProcessLeaseTests
{
    [Fact]
    public async Task TryHoldAsync_SqliteStoreWithALeaseLeftByAKilledProcess_HoldsItAtOnce()
    {
        // arrange
        var leases = new DeadPredecessorLeaseStore();
        var lease = new ProcessLease(leases, Options.Create(new StoreOptions { Provider = StoreProvider.Sqlite }));

        // act
        var outbox = await lease.TryHoldAsync(ProcessLease.Outbox, TimeSpan.FromMinutes(2), CancellationToken.None);
        var inbox = await lease.TryHoldAsync(ProcessLease.Inbox, TimeSpan.FromMinutes(1), CancellationToken.None);

        // assert
        Assert.True(outbox);
        Assert.True(inbox);
    }

    [Fact]
    public async Task TryHoldAsync_PostgresStoreWhileAnotherReplicaHoldsIt_WaitsForTheLease()
    {
        // arrange
        var leases = new DeadPredecessorLeaseStore();
        var lease = new ProcessLease(leases, Options.Create(new StoreOptions { Provider = StoreProvider.Postgres }));

        // act
        var held = await lease.TryHoldAsync(ProcessLease.Outbox, TimeSpan.FromMinutes(2), CancellationToken.None);

        // assert
        Assert.False(held);
        Assert.Equal(1, leases.Calls);
    }
}
