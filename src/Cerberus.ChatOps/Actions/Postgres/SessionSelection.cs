using System.Globalization;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Which sessions the clean-up offers to terminate, and which it never touches. Pure, so the rules are tested
/// without a server. Offered: a client backend idle in transaction for at least <see cref="IdleAge"/>, or the root
/// of a lock tree (it blocks others and waits on no lock itself) whose longest victim has waited at least
/// <see cref="LockWaitAge"/>. Never: non-client backends (walsenders, autovacuum, background workers), the bot's
/// own sessions (diagnostics and actions, by application_name), the diagnostics role's, Patroni's (its
/// application_name is <c>Patroni</c>, <c>Patroni ctl</c>, … in 3.0.2 <c>config.py</c> <c>local_connect_kwargs</c>;
/// pg_rewind's is <c>pg_rewind</c>), and any superuser's or REPLICATION role's session (Patroni's superuser and
/// replication roles are such roles; a non-superuser with pg_signal_backend may not end a superuser's session anyway).
/// </summary>
/// <param name="IdleAge">How long a session must have been idle in transaction.</param>
/// <param name="LockWaitAge">How long a root's longest victim must have waited.</param>
/// <param name="DiagnosticsUser">The diagnostics role's user name (null when unknown).</param>
internal sealed record SessionSelection(TimeSpan IdleAge, TimeSpan LockWaitAge, string? DiagnosticsUser)
{
    /// <summary>At most this many sessions per card, so the card shows every one it would terminate.</summary>
    public const int MaxPerCard = 10;

    /// <summary>application_name of the bot's diagnostics sessions.</summary>
    public const string DiagnosticsApplication = "cerberus-chatops";

    /// <summary>Why <paramref name="row"/> is never offered, or null when the rules allow it.</summary>
    public string? Protected(SessionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!string.Equals(row.BackendType, "client backend", StringComparison.Ordinal))
        {
            return $"not a client backend ({row.BackendType})";
        }

        if (row.Application is DiagnosticsApplication or PostgresConnector.ApplicationName)
        {
            return "the bot's own session";
        }

        if (row.Application.StartsWith("Patroni", StringComparison.Ordinal) || string.Equals(row.Application, "pg_rewind", StringComparison.Ordinal))
        {
            return "Patroni's session";
        }

        if (DiagnosticsUser is { Length: > 0 } user && string.Equals(row.User, user, StringComparison.Ordinal))
        {
            return "the diagnostics role's session";
        }

        if (row.Superuser)
        {
            return "a superuser's session (Patroni's superuser, or a DBA's): end it by hand if it is the cause";
        }

        return row.Replication ? "a REPLICATION role's session (Patroni's replication role, a backup)" : null;
    }

    public bool IdleTooLong(SessionRow row) =>
        row.IdleInTransaction && row.StateAgeSeconds is { } age && age >= IdleAge.TotalSeconds;

    public bool BlocksTooLong(SessionRow row) =>
        row.IsLockRoot && row.LongestVictimWaitSeconds is { } wait && wait >= LockWaitAge.TotalSeconds;

    /// <summary>Why the row qualifies ("idle in transaction for 7 min", "blocks 3 session(s), …"), or null.</summary>
    public string? Why(SessionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var reasons = new List<string>();
        if (BlocksTooLong(row))
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"lock-tree root ({row.State}): blocks {row.Victims} session(s), the longest waiting {SessionRow.Age(row.LongestVictimWaitSeconds)}"));
        }

        if (IdleTooLong(row))
        {
            reasons.Add($"idle in transaction for {SessionRow.Age(row.StateAgeSeconds)} (transaction open {SessionRow.Age(row.XactAgeSeconds)})");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>The rows offered, most harmful first (roots by their longest victim's wait, then the longest idle), and the protected ones that would otherwise qualify.</summary>
    public (IReadOnlyList<SessionRow> Offered, IReadOnlyList<(SessionRow Row, string Reason)> Protected) Select(IEnumerable<SessionRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var offered = new List<SessionRow>();
        var kept = new List<(SessionRow, string)>();
        foreach (var row in rows)
        {
            if (Why(row) is null)
            {
                continue;
            }

            if (Protected(row) is { } reason)
            {
                kept.Add((row, reason));
            }
            else
            {
                offered.Add(row);
            }
        }

        return ([.. offered.OrderByDescending(r => BlocksTooLong(r)).ThenByDescending(r => r.LongestVictimWaitSeconds ?? 0).ThenByDescending(r => r.StateAgeSeconds ?? 0)], kept);
    }

    /// <summary>
    /// Whether the live row is still the approved session doing what it was approved for: the same pid AND
    /// backend_start (a reused pid is another session), and still idle in the same transaction (same xact_start) or
    /// still blocking someone. Null when it still qualifies; otherwise why it is skipped.
    /// </summary>
    public static string? StillQualifies(ApprovedSession approved, SessionRow? live)
    {
        ArgumentNullException.ThrowIfNull(approved);
        if (live is null)
        {
            return "ended on its own";
        }

        if (live.BackendStart != approved.BackendStart)
        {
            return "its pid now belongs to a new backend: not touched";
        }

        if (approved.Idle && live.IdleInTransaction && live.XactStart == approved.XactStart)
        {
            return null;
        }

        if (approved.Root && live.Victims > 0)
        {
            return null;
        }

        if (approved.Idle && live.IdleInTransaction)
        {
            return "idle in another transaction than the approved one";
        }

        var what = (approved.Idle, approved.Root) switch
        {
            (true, true) => "no longer idle in that transaction nor blocking anyone",
            (true, false) => "no longer idle in that transaction",
            _ => "no longer blocking anyone",
        };
        return $"{what} (now {live.State})";
    }
}
