namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// A named lease, so that with several replicas only one runs timers (RTO reminders, expiries) and only one drains
/// each queue (items themselves are claimed one by one: the lease is for order and efficiency, not for safety).
/// </summary>
public interface ILeaseStore
{
    /// <summary>
    /// Takes or renews the lease for <paramref name="owner"/> until the database's now + <paramref name="duration"/>;
    /// false when another owner holds it. Expiry is judged by the database's clock, never the caller's.
    /// </summary>
    Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken);
}
