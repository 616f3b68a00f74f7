namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>One non-leader member as a promotion candidate, with its lag and the data its promotion would lose.</summary>
/// <param name="Name">The Patroni member name (not a deployment name).</param>
/// <param name="State">Patroni's state (running, stopped...).</param>
/// <param name="LagBytes">Bytes behind the leader: the healthy leader's live LSN or the DCS optime against the candidate's
/// received position when measured, else Patroni's /cluster lag; null when unknown or meaningless (another timeline).</param>
/// <param name="ReceivedLsn">The candidate's received WAL position (promotion replays everything received).</param>
/// <param name="NotOfferedReason">Why it cannot be chosen (not running, nofailover, not the sync standby), or null when it can.</param>
/// <param name="EstimatedLossBytes">Committed WAL its promotion loses: 0 for a graceful switchover (at most the lag when it
/// lags); for a failover the measured LOWER bound; null when unknown.</param>
/// <param name="EstimatedLossSeconds">The loss as time at the measured WAL rate; null when the rate is unknown.</param>
/// <param name="OverMaximumLag">The lag exceeds Patroni's maximum_lag_on_failover (or is unknown).</param>
/// <param name="OverRpo">The estimated loss exceeds the 15-minute RPO.</param>
/// <param name="Timeline">The member's timeline from /cluster (null when Patroni reports none).</param>
/// <param name="Sync">Patroni lists it as the synchronous standby (role sync_standby).</param>
/// <param name="TimelineRisk">Why its timeline makes it unsafe (another timeline than the leader's, or unknown), or null.</param>
/// <param name="LossUpperBytes">The most its promotion can lose: for a failover the lag Patroni last recorded plus ttl × WAL
/// rate (what the leader can have written after its last optime); null when unknown.</param>
/// <param name="LossMeasured">The lower bound was measured (live leader LSN, or the DCS optime), not assumed.</param>
internal sealed record FailoverCandidate(
    string Name,
    string? ApiUrl,
    string State,
    long? LagBytes,
    long? ReceivedLsn,
    string? NotOfferedReason,
    long? EstimatedLossBytes,
    double? EstimatedLossSeconds,
    bool OverMaximumLag,
    bool OverRpo,
    int? Timeline = null,
    bool Sync = false,
    string? TimelineRisk = null,
    long? LossUpperBytes = null,
    bool LossMeasured = false)
{
    public bool Offered => NotOfferedReason is null;

    public bool NeedsRiskAcceptance => OverMaximumLag || OverRpo || TimelineRisk is not null;

    /// <summary>The coarse lag state the fingerprint uses: within, over, or unknown (exact bytes move every second).</summary>
    public string LagBucket => LagBytes is null ? "unknown" : OverMaximumLag ? "over" : "within";
}
