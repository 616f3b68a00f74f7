namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>One non-leader member as a promotion candidate, with its lag and the data its promotion would lose.</summary>
/// <param name="Name">The Patroni member name (not a deployment name).</param>
/// <param name="State">Patroni's state (running, stopped...).</param>
/// <param name="LagBytes">Bytes behind the leader: from the leader's and the candidate's /patroni when both answer, else /cluster.</param>
/// <param name="ReceivedLsn">The candidate's received WAL position (promotion replays everything received).</param>
/// <param name="NotOfferedReason">Why it cannot be chosen (not running, nofailover), or null when it can.</param>
/// <param name="EstimatedLossBytes">Committed WAL its promotion loses: 0 for a graceful switchover; null when unknown.</param>
/// <param name="EstimatedLossSeconds">The loss as time at the measured WAL rate; null when the rate is unknown.</param>
/// <param name="OverMaximumLag">The lag exceeds Patroni's maximum_lag_on_failover (or is unknown).</param>
/// <param name="OverRpo">The estimated loss exceeds the 15-minute RPO.</param>
internal sealed record FailoverCandidate(
    string Name,
    string? Host,
    int? Port,
    string? ApiUrl,
    string State,
    long? LagBytes,
    long? ReceivedLsn,
    string? NotOfferedReason,
    long? EstimatedLossBytes,
    double? EstimatedLossSeconds,
    bool OverMaximumLag,
    bool OverRpo)
{
    public bool Offered => NotOfferedReason is null;

    public bool NeedsRiskAcceptance => OverMaximumLag || OverRpo;

    /// <summary>The coarse lag state the fingerprint uses: within, over, or unknown (exact bytes move every second).</summary>
    public string LagBucket => LagBytes is null ? "unknown" : OverMaximumLag ? "over" : "within";
}
