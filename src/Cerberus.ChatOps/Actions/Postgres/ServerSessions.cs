namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>What the session clean-up reads of the server itself.</summary>
/// <param name="InRecovery">pg_is_in_recovery(): a standby's sessions are not the primary's problem.</param>
/// <param name="Clients">Client backends now (this session included).</param>
/// <param name="Usable">max_connections − superuser_reserved_connections.</param>
/// <param name="MaySignal">The role is a superuser or has the privileges of pg_signal_backend (pg_terminate_backend needs them).</param>
/// <param name="MaySeeAll">
/// The role is a superuser or has the privileges of pg_read_all_stats: without them PostgreSQL shows other roles'
/// sessions with state, transaction and start times NULL, and none of them could be judged.
/// </param>
internal sealed record ServerSessions(bool InRecovery, int Clients, int Usable, bool MaySignal, bool MaySeeAll)
{
    public string Connections => $"{Clients} of {Usable} usable connections";
}
