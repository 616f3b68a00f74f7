namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The data loss of one succeeded failover or switchover, computed from the figures its action recorded.</summary>
/// <param name="ActionId">The action-ledger entry.</param>
/// <param name="Mode"><c>failover</c> or <c>switchover</c>.</param>
/// <param name="OldLeader">The member that led before, when recorded.</param>
/// <param name="NewLeader">The member that leads after, when recorded.</param>
/// <param name="SwitchpointLsn">Where the new timeline starts, when recorded.</param>
/// <param name="OldLeaderLastLsn">The old leader's last known LSN, when recorded.</param>
/// <param name="CandidateReceivedLsn">What the candidate had received, when recorded.</param>
/// <param name="LossBytes">The lost WAL in bytes; null when the figures do not tell.</param>
/// <param name="LossSeconds">The lost writes in seconds; null when the figures do not tell.</param>
/// <param name="WalRateBytesPerSecond">The WAL rate used to turn bytes into time, when recorded.</param>
/// <param name="Basis">How the loss was computed, in one sentence.</param>
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
    string Basis);
