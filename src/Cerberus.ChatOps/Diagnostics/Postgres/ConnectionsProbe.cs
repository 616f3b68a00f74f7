using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Npgsql;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// The runbook's "count pg_stat_activity", as a DBA reads it: sessions by state, saturation against
/// max_connections − superuser_reserved_connections (80 % warn, 95 % crit), idle in transaction and the oldest,
/// lock waiters and who blocks them (pg_blocking_pids), the longest transaction, and the top offenders by
/// application, user and client (the bot's own sessions count, but are never named as offenders). Needs pg_monitor (pg_read_all_stats) to see other roles' sessions.
/// </summary>
internal sealed class ConnectionsProbe(PostgresConnectionFactory connections, PrimaryResolver primary, TimeProvider time)
    : PostgresProbe(connections, primary, time)
{
    private const string CountsSql =
        """
        SELECT count(*) FILTER (WHERE backend_type = 'client backend')::int                          AS clients,
               count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active')::int     AS active,
               count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'idle')::int       AS idle,
               count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int                        AS idle_in_tx,
               count(*) FILTER (WHERE wait_event_type = 'Lock')::int                                 AS lock_waiters,
               extract(epoch FROM max(now() - xact_start) FILTER (WHERE state <> 'idle' AND backend_type = 'client backend'))::float8 AS longest_xact_s,
               min(xact_start) FILTER (WHERE state <> 'idle' AND backend_type = 'client backend')    AS longest_xact_start,
               extract(epoch FROM max(now() - xact_start) FILTER (WHERE state LIKE 'idle in transaction%'))::float8 AS oldest_idle_tx_s,
               min(xact_start) FILTER (WHERE state LIKE 'idle in transaction%')                      AS oldest_idle_tx_start,
               current_setting('max_connections')::int                                              AS max_conn,
               current_setting('superuser_reserved_connections')::int                               AS reserved
        FROM pg_stat_activity WHERE pid <> pg_backend_pid()
        """;

    private const string OldestTransactionsSql =
        """
        SELECT pid, coalesce(usename, '?'), coalesce(nullif(application_name, ''), '?'), coalesce(host(client_addr), 'local'),
               coalesce(state, '?'), extract(epoch FROM now() - xact_start)::float8
        FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND state <> 'idle'
          AND application_name IS DISTINCT FROM 'cerberus-chatops'
        ORDER BY xact_start LIMIT 3
        """;

    /// <summary>
    /// Lock waiters, dated by the real wait start: <c>pg_locks.waitstart</c> of the ungranted lock (PostgreSQL 14+;
    /// {0} is replaced by the wait-start expression, older servers fall back to state_change/query_start).
    /// </summary>
    private const string LockWaitersSql =
        """
        SELECT w.pid, coalesce(w.usename, '?'), coalesce(nullif(w.application_name, ''), '?'),
               extract(epoch FROM now() - {0})::float8 AS wait_s,
               {0} AS wait_start,
               coalesce(string_agg(b.pid || ' ' || coalesce(b.usename, '?') || '/' || coalesce(nullif(b.application_name, ''), '?')
                                   || ' (' || coalesce(b.state, '?') || ')', ', ' ORDER BY b.pid), 'unknown') AS blockers
        FROM pg_stat_activity w
        LEFT JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid) ON true
        LEFT JOIN pg_stat_activity b ON b.pid = bp.pid
        WHERE w.wait_event_type = 'Lock' AND w.pid <> pg_backend_pid()
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY wait_start NULLS LAST LIMIT 10
        """;

    private const string WaitStartFromLocks =
        "coalesce((SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = w.pid AND NOT l.granted), w.state_change, w.query_start)";

    private const string WaitStartFromActivity = "coalesce(w.state_change, w.query_start)";

    private const string OffendersSql =
        """
        SELECT coalesce(nullif(application_name, ''), '(no application_name)'), coalesce(usename, '?'),
               coalesce(host(client_addr), 'local socket'), count(*)::int,
               count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int
        FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'cerberus-chatops'
        GROUP BY 1, 2, 3 ORDER BY 4 DESC, 5 DESC LIMIT 5
        """;

    public override string Name => ProbeNames.Connections;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var c = (await QueryAsync(connection, CountsSql, r => new
        {
            Clients = r.GetInt32(0),
            Active = r.GetInt32(1),
            Idle = r.GetInt32(2),
            IdleInTx = r.GetInt32(3),
            LockWaiters = r.GetInt32(4),
            LongestXact = NullableDouble(r, 5),
            LongestXactStart = NullableTime(r, 6),
            OldestIdleTx = NullableDouble(r, 7),
            OldestIdleTxStart = NullableTime(r, 8),
            MaxConnections = r.GetInt32(9),
            Reserved = r.GetInt32(10),
        }, cancellationToken))[0];

        var usable = Math.Max(1, c.MaxConnections - c.Reserved);
        var saturation = 100.0 * c.Clients / usable;
        findings.Fact(FactKeys.ClientConnections, c.Clients);
        findings.Fact(FactKeys.MaxConnections, c.MaxConnections);
        findings.Fact(FactKeys.ReservedConnections, c.Reserved);
        findings.Fact(DiagnosisFactKeys.UsableConnections, usable);
        findings.Fact(FactKeys.SaturationPercent, saturation);
        findings.Fact(FactKeys.IdleInTransaction, c.IdleInTx);
        findings.Fact(FactKeys.LockWaiters, c.LockWaiters);
        findings.Fact(FactKeys.LongestTransactionSeconds, c.LongestXact ?? 0);
        if (c.OldestIdleTx is { } oldestIdle)
        {
            findings.Fact(DiagnosisFactKeys.OldestIdleInTransactionSeconds, oldestIdle);
        }

        findings.Detail(string.Create(CultureInfo.InvariantCulture,
            $"{c.Clients} client connections of {usable} usable (max_connections {c.MaxConnections} − {c.Reserved} reserved): {c.Active} active, {c.Idle} idle, {c.IdleInTx} idle in transaction, {c.LockWaiters} waiting on a lock"));

        var sat = string.Create(CultureInfo.InvariantCulture, $"{c.Clients} of {usable} usable connections in use ({saturation:0} %)");
        if (saturation >= Options.SaturationCritPercent)
        {
            findings.Problem(ProbeStatus.Crit, $"connection exhaustion: {sat}");
        }
        else if (saturation >= Options.SaturationWarnPercent)
        {
            findings.Problem(ProbeStatus.Warn, $"connections near the limit: {sat}");
        }

        if (c.OldestIdleTx is { } idleSeconds && idleSeconds >= Options.IdleInTransactionWarn.TotalSeconds)
        {
            findings.Problem(ProbeStatus.Warn, $"{c.IdleInTx} session(s) idle in transaction, the oldest for {Durations.Format(idleSeconds)}");
            findings.Since(c.OldestIdleTxStart);
        }

        if (c.LongestXact is { } longest && longest >= Options.LongTransactionWarn.TotalSeconds)
        {
            findings.Problem(ProbeStatus.Warn, $"a transaction has been open for {Durations.Format(longest)} (it holds back vacuum)");
            findings.Since(c.LongestXactStart);
        }

        if (c.LongestXact is > 0)
        {
            var oldest = await QueryAsync(connection, OldestTransactionsSql,
                r => $"oldest transactions: pid {r.GetInt32(0)} {r.GetString(1)}/{r.GetString(2)} from {r.GetString(3)}, {r.GetString(4)}, open {Durations.Format(r.GetDouble(5))}",
                cancellationToken);
            oldest.ForEach(findings.Detail);
        }

        if (c.LockWaiters > 0)
        {
            await ExamineLockWaitersAsync(connection, findings, cancellationToken);
        }

        var offenders = await QueryAsync(connection, OffendersSql,
            r => (App: r.GetString(0), User: r.GetString(1), Client: r.GetString(2), Count: r.GetInt32(3), IdleInTx: r.GetInt32(4)),
            cancellationToken);
        foreach (var o in offenders)
        {
            findings.Detail($"by client: {o.App} as {o.User} from {o.Client}: {o.Count} connection(s){(o.IdleInTx > 0 ? $", {o.IdleInTx} idle in transaction" : string.Empty)}");
        }

        if (offenders.Count > 0)
        {
            var top = offenders[0];
            findings.Fact(DiagnosisFactKeys.TopOffender, $"{top.App} as {top.User} from {top.Client} ({top.Count})");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{sat}, {c.IdleInTx} idle in transaction, {c.LockWaiters} lock waiter(s)");
    }

    private async Task ExamineLockWaitersAsync(NpgsqlConnection connection, ProbeFindings findings, CancellationToken cancellationToken)
    {
        // pg_locks.waitstart exists from PostgreSQL 14: the time the wait began, not the query's start.
        var waitStart = connection.PostgreSqlVersion.Major >= 14 ? WaitStartFromLocks : WaitStartFromActivity;
        var waiters = await QueryAsync(connection, LockWaitersSql.Replace("{0}", waitStart, StringComparison.Ordinal),
            r => (Pid: r.GetInt32(0), User: r.GetString(1), App: r.GetString(2), Wait: NullableDouble(r, 3) ?? 0, Since: NullableTime(r, 4), Blockers: r.GetString(5)),
            cancellationToken);
        foreach (var w in waiters)
        {
            findings.Detail($"lock wait: pid {w.Pid} {w.User}/{w.App} waits {Durations.Format(w.Wait)}, blocked by {w.Blockers}");
        }

        if (waiters.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.LongestLockWaitSeconds, waiters.Max(w => w.Wait));
        }

        var slow = waiters.Where(w => w.Wait >= Options.LockWaitWarn.TotalSeconds).ToList();
        if (slow.Count > 0)
        {
            var first = slow[0];
            findings.Problem(ProbeStatus.Warn, $"{slow.Count} session(s) wait on a lock longer than {Durations.Format(Options.LockWaitWarn.TotalSeconds)}; pid {first.Pid} for {Durations.Format(first.Wait)}, blocked by {first.Blockers}");
            findings.Since(slow.Min(w => w.Since));
        }
    }
}
