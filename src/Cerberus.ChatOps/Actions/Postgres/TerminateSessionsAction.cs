using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Timing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Connection exhaustion without an outage, step one: <c>pg_terminate_backend</c> of the sessions idle in transaction
/// for too long and of the lock-tree roots. The card lists exactly the sessions it would end (at most
/// <see cref="SessionSelection.MaxPerCard"/>); the approval binds to that set (pid + backend_start); just before the
/// side effect the live state is read again and only approved sessions that still qualify are ended, in one guarded
/// statement. Never the bot's own, the diagnostics role's, Patroni's, a superuser's or a non-client backend.
/// </summary>
internal sealed partial class TerminateSessionsAction(
    PostgresConnector postgres,
    IOptions<ActionsOptions> options,
    IOptions<PostgresOptions> diagnostics,
    TimeProvider time,
    ILogger<TerminateSessionsAction> logger) : IRemediationAction
{
    /// <summary>ProposalRequest.Arguments: minutes a session must have been idle in transaction (default Cerberus:Postgres:IdleInTransactionWarn).</summary>
    public const string IdleMinutesArgument = "idle_minutes";

    private const string SessionsParameter = "sessions";
    private const string ConnectionsParameter = "connections_before";
    private const string TerminatedFigure = "terminated_sessions";

    /// <summary>Characters of the session list on the card: a Slack section holds 3000, the rest of the description about 400.</summary>
    internal const int ListBudget = 2400;

    public RemediationKind Kind => RemediationKind.TerminateSessions;

    private SessionSelection Selection(TimeSpan idleAge) => new(idleAge, diagnostics.Value.LockWaitWarn, DiagnosticsUser());

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!postgres.IsConfigured)
        {
            return ActionProposal.NotApplicable(PostgresConnector.NotConfigured);
        }

        var idleAge = diagnostics.Value.IdleInTransactionWarn;
        if (request.Arguments.TryGetValue(IdleMinutesArgument, out var text))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 1440)
            {
                return ActionProposal.NotApplicable($"'{(text.Length > 12 ? text[..12] : text)}' is not a number of minutes from 1 to 1440 (idle in transaction for at least that long).");
            }

            idleAge = TimeSpan.FromMinutes(minutes);
        }

        var selection = Selection(idleAge);
        ServerSessions server;
        Dictionary<int, SessionRow> rows;
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            server = await SessionReader.ServerAsync(connection, cancellationToken);
            rows = await SessionReader.RowsAsync(connection, [], cancellationToken);
        }
        catch (PostgresException ex) when (IsOutOfSlots(ex))
        {
            return ActionProposal.NotApplicable(OutOfSlots(ex, idleAge));
        }
        catch (NpgsqlException ex)
        {
            return ActionProposal.NotApplicable($"Could not read pg_stat_activity on {postgres.DescribePrimary()}: {SecretRedactor.Redact(ex.Message)}");
        }

        if (server.InRecovery)
        {
            return ActionProposal.NotApplicable($"{postgres.DescribePrimary()} is a standby: its sessions are not the primary's; point Cerberus:Actions:PostgresConnectionString at the primary.");
        }

        if (!server.MaySeeAll)
        {
            return ActionProposal.NotApplicable("The operator role cannot see other roles' sessions: PostgreSQL shows them without state, transaction or start time unless the role has pg_read_all_stats, so none could be judged. GRANT pg_monitor (or pg_read_all_stats) TO it.");
        }

        if (!server.MaySignal)
        {
            return ActionProposal.NotApplicable("The operator role may not end other sessions: GRANT pg_signal_backend TO it (pg_terminate_backend needs it; a superuser's sessions stay out of reach, as intended).");
        }

        var (offered, kept) = selection.Select(rows.Values);
        var criteria = $"idle in transaction for at least {Durations.Format(idleAge)}, or the root of a lock tree whose longest waiter has waited at least {Durations.Format(selection.LockWaitAge)}";
        if (offered.Count == 0)
        {
            return ActionProposal.NotApplicable($"No session to terminate on {postgres.DescribePrimary()} ({server.Connections}): none is {criteria}{KeptClause(kept)}.");
        }

        var (chosen, lines) = Fit(offered, selection);
        var approved = chosen.Select(r => ApprovedSession.Of(r, selection)).ToList();
        var dryRun = request.DryRun || options.Value.DryRun;
        var more = offered.Count > chosen.Count ? $"; {offered.Count - chosen.Count} more qualify beyond the {chosen.Count} on this card (propose again after this one)" : string.Empty;
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = postgres.DescribePrimary(),
            Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                          $" on {postgres.DescribePrimary()}: `SELECT pg_terminate_backend(pid)` for exactly these {chosen.Count} session(s), each only if, in the same statement, " +
                          "it still has the same backend_start (a reused pid is never touched) and is still idle in the approved transaction or still blocks someone:\n" +
                          lines + "\nTheir open transactions roll back and their clients see the connection closed (a pool reconnects).",
            BasedOn = $"{server.Connections} in use; {offered.Count} session(s) {criteria}{more}{KeptClause(kept)}",
            ObservedFingerprint = Fingerprint(approved.Select(a => a.Identity)),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [SessionsParameter] = string.Join(",", approved),
                [ConnectionsParameter] = server.Clients.ToString(CultureInfo.InvariantCulture),
                [IdleMinutesArgument] = ((int)idleAge.TotalMinutes).ToString(CultureInfo.InvariantCulture),
            },
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        return ActionProposal.Of(action);
    }

    /// <summary>
    /// The approved fingerprint while the server is still a primary and at least one approved session still
    /// qualifies (the ones that ended on their own are skipped at execution, never replaced by new ones); otherwise
    /// what changed.
    /// </summary>
    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (ApprovedSession.ParseList(action.Parameters.GetValueOrDefault(SessionsParameter)) is not { } approved)
        {
            return "unreadable: the approved session set is missing";
        }

        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var (observed, _) = await RecheckAsync(connection, approved, cancellationToken);
            return observed ?? action.ObservedFingerprint;
        }
        catch (NpgsqlException ex)
        {
            return "unreadable: " + SecretRedactor.Redact(ex.Message);
        }
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would terminate the {Count(action)} approved session(s) on {action.Target}; nothing ran.");
        }

        if (ApprovedSession.ParseList(action.Parameters.GetValueOrDefault(SessionsParameter)) is not { } approved)
        {
            return ActionOutcome.Failure("The approved session set is missing from the record; nothing ran.");
        }

        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var before = await SessionReader.ServerAsync(connection, cancellationToken);

            // Just before the side effect: still a primary, and which approved sessions still qualify.
            var (changed, qualifying) = await RecheckAsync(connection, approved, cancellationToken);
            if (changed is not null)
            {
                Log.StateChanged(logger, action.ObservedFingerprint, changed);
                progress.Report($"Nothing terminated: the state changed since the approval ({changed}).");
                return ActionOutcome.StateChanged(action.ObservedFingerprint, changed, new Dictionary<string, string>(StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = "0" });
            }

            foreach (var (session, reason) in qualifying.Where(q => q.Skip is not null).Select(q => (q.Session, q.Skip)))
            {
                progress.Report($"pid {session.Pid} skipped: {reason}");
            }

            var targets = qualifying.Where(q => q.Skip is null).Select(q => q.Session).ToList();
            var signalled = await SessionReader.TerminateAsync(connection, targets, cancellationToken);
            var ended = targets.Where(t => signalled.Contains(t.Pid)).ToList();
            Log.Terminated(logger, ended.Count, approved.Count, string.Join(",", ended.Select(e => e.Pid)));
            progress.Report($"pg_terminate_backend sent to {ended.Count} session(s): pid {string.Join(", ", ended.Select(e => e.Pid))}");

            var gone = await WaitGoneAsync(connection, ended, cancellationToken);
            var after = await SessionReader.ServerAsync(connection, cancellationToken);
            var skipped = approved.Count - ended.Count;
            var summary = $"terminated {ended.Count} of the {approved.Count} approved session(s) (pid {string.Join(", ", ended.Select(e => e.Pid))})"
                          + (skipped > 0 ? $"; {skipped} skipped ({string.Join("; ", qualifying.Where(q => !ended.Contains(q.Session)).Select(q => $"pid {q.Session.Pid}: {q.Skip ?? "changed in the same statement"}"))})" : string.Empty)
                          + (gone ? string.Empty : "; some terminated backends had not exited yet")
                          + $"; client connections {before.Clients} → {after.Clients} of {after.Usable} usable.";
            return new ActionOutcome(gone, gone ? summary : "Not all ended: " + summary, Figures(ended, before.Clients, after.Clients));
        }
        catch (PostgresException ex) when (IsOutOfSlots(ex))
        {
            return ActionOutcome.Failure("Nothing terminated. " + OutOfSlots(ex, IdleAge(action)));
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"Terminating sessions failed: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    /// <summary>53300 (too many connections, or only reserved slots left) and 53400 (a connection limit): no slot for this role.</summary>
    private static bool IsOutOfSlots(PostgresException exception) => exception.SqlState is PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ConfigurationLimitExceeded;

    /// <summary>
    /// The server gave the operator role no connection: in PostgreSQL 15 the last superuser_reserved_connections
    /// slots admit superusers only, so the remedy for connection exhaustion has to be run by a DBA as a superuser.
    /// </summary>
    private string OutOfSlots(PostgresException exception, TimeSpan idleAge) =>
        $"The operator role got no connection on {postgres.DescribePrimary()} ({exception.SqlState}: {SecretRedactor.Redact(exception.MessageText)}). "
        + "In PostgreSQL 15 only a superuser may take the last superuser_reserved_connections slots. A DBA connected as a superuser can end the same sessions by hand: "
        + $"`SELECT pid, usename, application_name, pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state LIKE 'idle in transaction%' AND state_change < now() - interval '{(int)idleAge.TotalMinutes} minutes' AND pid <> pg_backend_pid();` "
        + "So that the bot keeps a slot next time: give the operator role superuser, or cap the application roles (`ALTER ROLE … CONNECTION LIMIT n`).";

    private TimeSpan IdleAge(ActionRecord action) =>
        int.TryParse(action.Parameters.GetValueOrDefault(IdleMinutesArgument), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            ? TimeSpan.FromMinutes(minutes)
            : diagnostics.Value.IdleInTransactionWarn;

    public Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken) =>
        ReportAsync(action, PrimaryReport.Verified, cancellationToken);

    /// <summary>pg_terminate_backend is never sent again after a restart: it reports which approved sessions are gone.</summary>
    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken) =>
        ReportAsync(action, PrimaryReport.AfterRestart, cancellationToken);

    private Task<ActionOutcome> ReportAsync(ActionRecord action, string prefix, CancellationToken cancellationToken) =>
        PrimaryReport.ReadAsync(postgres, action, prefix, "pg_stat_activity", async connection =>
        {
            var terminated = action.Figures.TryGetValue(TerminatedFigure, out var list) ? ApprovedSession.ParseList(list) : null;
            var watched = terminated ?? ApprovedSession.ParseList(action.Parameters.GetValueOrDefault(SessionsParameter)) ?? [];
            var rows = await SessionReader.RowsAsync(connection, [.. watched.Select(w => w.Pid)], cancellationToken);
            var server = await SessionReader.ServerAsync(connection, cancellationToken);
            var left = watched.Where(w => rows.TryGetValue(w.Pid, out var r) && r.BackendStart == w.BackendStart).ToList();
            var before = action.Figures.GetValueOrDefault(ActionFigureKeys.ConnectionsBefore) ?? action.Parameters.GetValueOrDefault(ConnectionsParameter) ?? "unknown";
            var figures = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ActionFigureKeys.ConnectionsAfter] = server.Clients.ToString(CultureInfo.InvariantCulture),
            };
            var what = terminated is null ? "approved" : "terminated";
            var counts = $"client connections {before} (before) → {server.Clients} of {server.Usable} usable";
            return left.Count == 0
                ? ActionOutcome.Success($"{prefix}: none of the {watched.Count} {what} session(s) is left; {counts}.", figures)
                : ActionOutcome.Failure($"{prefix}: {left.Count} of the {watched.Count} {what} session(s) still there (pid {string.Join(", ", left.Select(l => l.Pid))}); {counts}.", figures);
        }, cancellationToken);

    /// <summary>
    /// On <paramref name="connection"/>: null and each approved session with why it is skipped (null = still
    /// qualifies), or the observed state when nothing may run (a standby, or no approved session qualifies any more).
    /// </summary>
    private static async Task<(string? Changed, IReadOnlyList<(ApprovedSession Session, string? Skip)> Sessions)> RecheckAsync(
        NpgsqlConnection connection, IReadOnlyList<ApprovedSession> approved, CancellationToken cancellationToken)
    {
        var server = await SessionReader.ServerAsync(connection, cancellationToken);
        if (server.InRecovery)
        {
            return ("primary=False", []);
        }

        var rows = await SessionReader.RowsAsync(connection, [.. approved.Select(a => a.Pid)], cancellationToken);
        var checkedSessions = approved.Select(a => (a, SessionSelection.StillQualifies(a, rows.GetValueOrDefault(a.Pid)))).ToList();
        return checkedSessions.Any(c => c.Item2 is null)
            ? (null, checkedSessions)
            : ("primary=True;sessions=none of the approved set still qualifies (" + string.Join("; ", checkedSessions.Select(c => $"pid {c.a.Pid} {c.Item2}")) + ")", checkedSessions);
    }

    /// <summary>pg_terminate_backend only signals: waits (briefly) until the backends have exited.</summary>
    private async Task<bool> WaitGoneAsync(NpgsqlConnection connection, List<ApprovedSession> ended, CancellationToken cancellationToken)
    {
        if (ended.Count == 0)
        {
            return true;
        }

        var polled = await Poll.UntilAsync(time, TimeSpan.FromSeconds(5), options.Value.PollInterval, async ct =>
        {
            var rows = await SessionReader.RowsAsync(connection, [.. ended.Select(e => e.Pid)], ct);
            return ended.Count(e => rows.TryGetValue(e.Pid, out var r) && r.BackendStart == e.BackendStart);
        }, left => left == 0, cancellationToken);
        return polled.Converged;
    }

    private static Dictionary<string, string> Figures(List<ApprovedSession> ended, int before, int after) => new(StringComparer.Ordinal)
    {
        [ActionFigureKeys.SessionsTerminated] = ended.Count.ToString(CultureInfo.InvariantCulture),
        [ActionFigureKeys.ConnectionsBefore] = before.ToString(CultureInfo.InvariantCulture),
        [ActionFigureKeys.ConnectionsAfter] = after.ToString(CultureInfo.InvariantCulture),
        [TerminatedFigure] = string.Join(",", ended),
    };

    /// <summary>
    /// The sessions this card lists: at most <see cref="SessionSelection.MaxPerCard"/>, and no more than fit in one
    /// Slack section once escaped (<see cref="ListBudget"/>), so the card always shows every session it would end.
    /// </summary>
    internal static (List<SessionRow> Chosen, string Lines) Fit(IReadOnlyList<SessionRow> offered, SessionSelection selection)
    {
        var chosen = new List<SessionRow>();
        var lines = new List<string>();
        var length = 0;
        foreach (var row in offered.Take(SessionSelection.MaxPerCard))
        {
            var line = "• " + row.Describe(selection.Why(row)!);
            var escaped = line.Length + (4 * line.Count(c => c is '&' or '<' or '>'));
            if (chosen.Count > 0 && length + escaped + 1 > ListBudget)
            {
                break;
            }

            chosen.Add(row);
            lines.Add(line);
            length += escaped + 1;
        }

        return (chosen, string.Join("\n", lines));
    }

    private static string Fingerprint(IEnumerable<string> identities) => "primary=True;sessions=" + string.Join(",", identities.Order(StringComparer.Ordinal));

    private static int Count(ActionRecord action) => ApprovedSession.ParseList(action.Parameters.GetValueOrDefault(SessionsParameter))?.Count ?? 0;

    private static string KeptClause(IReadOnlyList<(SessionRow Row, string Reason)> kept) =>
        kept.Count == 0
            ? string.Empty
            : $"; not offered, although they qualify: {string.Join("; ", kept.Take(5).Select(k => $"pid {k.Row.Pid} ({k.Reason})"))}{(kept.Count > 5 ? $" and {kept.Count - 5} more" : string.Empty)}";

    private string? DiagnosticsUser()
    {
        try
        {
            return string.IsNullOrWhiteSpace(diagnostics.Value.ConnectionString) ? null : new NpgsqlConnectionStringBuilder(diagnostics.Value.ConnectionString).Username;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "pg_terminate_backend: {Ended} of {Approved} approved sessions (pids {Pids})")]
        public static partial void Terminated(ILogger logger, int ended, int approved, string pids);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Sessions not terminated: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string approved, string observed);
    }
}
