namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// One row of <c>pg_stat_replication</c> on the leader. Patroni 3.0.2 sets each replica's <c>application_name</c> to
/// its member name in <c>primary_conninfo</c>, so the row names the member.
/// </summary>
/// <param name="ReplayLagBytes"><c>pg_current_wal_lsn() − replay_lsn</c>; null when the server does not show it (no pg_read_all_stats) or the standby has replayed nothing yet.</param>
internal sealed record StandbyConnection(string ApplicationName, string State, string SyncState, long? ReplayLagBytes);
