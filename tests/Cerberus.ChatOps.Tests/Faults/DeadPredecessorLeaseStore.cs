using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Faults;

/// <summary>A lease store whose every lease is still held by a process that was killed a moment ago.</summary>
internal sealed class DeadPredecessorLeaseStore : ILeaseStore
{
    public int Calls { get; private set; }

    public Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult(false);
    }
}
