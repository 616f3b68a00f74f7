namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The data loss of one succeeded failover or switchover, computed from the figures its action recorded.</summary>
/// <param name="ActionId">The action-ledger entry.</param>
/// <param name="Mode"><c>failover</c> or <c>switchover</c>.</param>
/// <param name="OldLeader">The member that led before, when recorded.</param>
/// <param name="NewLeader">The member that leads after, when recorded.</param>
/// <param name="SwitchpointLsn">Where the new timeline starts, when recorded.</param>
/// <param name="OldLeaderLastLsn">The old leader's last known LSN, when recorded.</param>
/// <param name="CandidateReceivedLsn">What the candidate had received, when recorded.</param>
/// <param name="LossBytes">The lost WAL in bytes (a lower bound for a failover); null when the figures do not tell.</param>
/// <param name="LossSeconds">The lost writes in seconds; null when the figures do not tell.</param>
/// <param name="WalRateBytesPerSecond">The WAL rate used to turn bytes into time, when recorded.</param>
/// <param name="Basis">How the loss was computed, in one sentence.</param>
/// <param name="UpperBytes">The most it can have lost (failover: recorded lag + ttl × WAL rate); null when unknown.</param>
/// <param name="Certain"><see cref="LossBytes"/> is exact, not a bound: a verified graceful switchover.</param>
/// <param name="TimelineAfter">The timeline the verification saw, when recorded.</param>
/// <param name="OldLeaderState">replica / not back / unknown, as the verification saw it.</param>
public sealed record FailoverLoss(
    string ActionId,
    string Mode,
    string? OldLeader,
    string? NewLeader,
    string? SwitchpointLsn,
    string? OldLeaderLastLsn,
    string? CandidateReceivedLsn,
    long? LossBytes,
    double? LossSeconds,
    double? WalRateBytesPerSecond,
    string Basis,
    long? UpperBytes = null,
    bool Certain = false,
    string? TimelineAfter = null,
    string? OldLeaderState = null)
{
    /// <summary>The upper bound in seconds of writes, when both it and the WAL rate are known.</summary>
    public double? UpperSeconds => UpperBytes is { } u && WalRateBytesPerSecond is > 0 ? u / WalRateBytesPerSecond.Value : null;
}
