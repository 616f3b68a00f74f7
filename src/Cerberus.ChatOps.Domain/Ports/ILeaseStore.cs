namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>A named lease, so that with several replicas only one runs timers (RTO reminders, expiries).</summary>
public interface ILeaseStore
{
    /// <summary>Takes or renews the lease for <paramref name="owner"/> until now + <paramref name="duration"/>; false when another owner holds it.</summary>
    Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken);
}
