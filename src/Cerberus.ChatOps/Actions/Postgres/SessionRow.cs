using System.Globalization;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// One backend of <c>pg_stat_activity</c> as the session clean-up reads it: who it is (pid + backend_start, so a pid
/// reused by a new backend is another session), what it does, how long, and whom it blocks.
/// </summary>
/// <param name="Pid">The backend's pid.</param>
/// <param name="BackendStart">backend_start in microseconds since the Unix epoch (exact: PostgreSQL keeps microseconds).</param>
/// <param name="XactStart">xact_start the same way; null outside a transaction.</param>
/// <param name="User">usename ("" when none).</param>
/// <param name="Application">application_name.</param>
/// <param name="Client">host(client_addr), or "local" for a Unix socket.</param>
/// <param name="State">state (active, idle, idle in transaction, …).</param>
/// <param name="BackendType">backend_type (client backend, walsender, autovacuum worker, …).</param>
/// <param name="Query">The current or last query (only its first characters are ever shown).</param>
/// <param name="StateAgeSeconds">now() − state_change: for a session idle in transaction, how long it has been idle.</param>
/// <param name="XactAgeSeconds">now() − xact_start.</param>
/// <param name="Victims">How many sessions wait on a lock this one holds (pg_blocking_pids).</param>
/// <param name="LongestVictimWaitSeconds">The longest of those waits (pg_locks.waitstart).</param>
/// <param name="Waiting">Whether this session itself waits on a lock (then it is not the root of its tree).</param>
/// <param name="Superuser">The role is a superuser.</param>
/// <param name="Replication">The role has the REPLICATION attribute.</param>
internal sealed record SessionRow(
    int Pid,
    long BackendStart,
    long? XactStart,
    string User,
    string Application,
    string Client,
    string State,
    string BackendType,
    string? Query,
    double? StateAgeSeconds,
    double? XactAgeSeconds,
    int Victims,
    double? LongestVictimWaitSeconds,
    bool Waiting,
    bool Superuser,
    bool Replication)
{
    /// <summary>The session's identity across a re-read: <c>pid@backend_start</c>.</summary>
    public string Identity => Identify(Pid, BackendStart);

    public bool IdleInTransaction => State.StartsWith("idle in transaction", StringComparison.Ordinal);

    public bool IsLockRoot => Victims > 0 && !Waiting;

    public static string Identify(int pid, long backendStart) => string.Create(CultureInfo.InvariantCulture, $"{pid}@{backendStart}");

    /// <summary>One preview line: pid, user, application, client, age, the first 80 characters of the query.</summary>
    public string Describe(string why) =>
        string.Create(CultureInfo.InvariantCulture,
            $"pid {Pid} · {Name(User)} · {Name(Application)} · {Client} · {why} · {QueryExcerpt.Of(Query)}");

    public static string Age(double? seconds) => seconds is { } s ? Durations.Format(s) : "unknown";

    private static string Name(string text) => text.Length == 0 ? "(none)" : QueryExcerpt.Of(text.Length > 63 ? text[..63] : text);
}
