namespace Cerberus.ChatOps.Patroni;

/// <summary>One entry of <c>GET /history</c>: [timeline, switch_lsn, reason, timestamp, new_leader].</summary>
internal sealed record PatroniHistoryEntry(int Timeline, long SwitchLsn, string Reason, string? Timestamp, string? NewLeader);
