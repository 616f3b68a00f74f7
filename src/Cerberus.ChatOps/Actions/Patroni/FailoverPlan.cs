namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>What a promotion would do now: the mode, the leader, and every candidate with its estimated loss.</summary>
/// <param name="LeaderLastLsn">The healthy leader's current LSN, or (no healthy leader) a lower bound of the DCS optime
/// when one was measured; null when unknown.</param>
/// <param name="WalRateBytesPerSecond">Measured from two samples of the leader's LSN, or null when unknown.</param>
/// <param name="TtlSeconds">Patroni's ttl: how long a leader can go on writing after its last optime in the DCS.</param>
/// <param name="SynchronousMode">Patroni's synchronous_mode is on (a switchover may only go to the sync standby).</param>
/// <param name="Dcs">The DCS optime measurement (failover only; <see cref="DcsOptime.None"/> otherwise).</param>
internal sealed record FailoverPlan(
    FailoverMode Mode,
    string? Leader,
    bool LeaderHealthy,
    int Timeline,
    long? LeaderLastLsn,
    long MaximumLagOnFailover,
    double? WalRateBytesPerSecond,
    bool Paused,
    IReadOnlyList<FailoverCandidate> Candidates,
    int TtlSeconds = 30,
    bool SynchronousMode = false,
    DcsOptime? Dcs = null)
{
    public FailoverCandidate? Find(string name) =>
        Candidates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public IEnumerable<FailoverCandidate> Offered => Candidates.Where(c => c.Offered);

    /// <summary>
    /// The best offered candidate: on the leader's timeline first, then the synchronous standby, then the smallest
    /// loss, then the smallest lag.
    /// </summary>
    public FailoverCandidate? Best => Offered
        .OrderBy(c => c.TimelineRisk is null ? 0 : 1)
        .ThenBy(c => c.Sync ? 0 : 1)
        .ThenBy(c => c.EstimatedLossBytes ?? long.MaxValue)
        .ThenBy(c => c.LagBytes ?? long.MaxValue)
        .ThenBy(c => c.Name, StringComparer.Ordinal)
        .FirstOrDefault();
}
