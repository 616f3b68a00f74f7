namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>What a promotion would do now: the mode, the leader, and every candidate with its estimated loss.</summary>
/// <param name="LeaderLastLsn">The leader's current LSN (healthy) or its last known LSN (a lower bound when dead).</param>
/// <param name="WalRateBytesPerSecond">Measured from two samples of the leader's LSN, or null when unknown.</param>
internal sealed record FailoverPlan(
    FailoverMode Mode,
    string? Leader,
    bool LeaderHealthy,
    int Timeline,
    long? LeaderLastLsn,
    long MaximumLagOnFailover,
    double? WalRateBytesPerSecond,
    bool Paused,
    IReadOnlyList<FailoverCandidate> Candidates)
{
    public FailoverCandidate? Find(string name) =>
        Candidates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public IEnumerable<FailoverCandidate> Offered => Candidates.Where(c => c.Offered);

    /// <summary>The best offered candidate: the smallest loss, then the smallest lag.</summary>
    public FailoverCandidate? Best => Offered
        .OrderBy(c => c.EstimatedLossBytes ?? long.MaxValue)
        .ThenBy(c => c.LagBytes ?? long.MaxValue)
        .ThenBy(c => c.Name, StringComparer.Ordinal)
        .FirstOrDefault();
}
