using System.Net.Sockets;
using Cerberus.ChatOps.Domain.Diagnostics;
using Npgsql;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// The runbook's <c>pg_isready</c>, with Npgsql, against the real primary (Patroni's leader when it names one): ok,
/// refused, timeout (a hung server: TCP accepts and the startup never answers, told apart from a TCP connect that
/// never completes), hung (the session opened but the trivial query timed out), starting (57P03, 08006 or a reset
/// during startup: down, or crash-restarting), auth (28P01/28000), too_many_clients (53300, connection exhaustion,
/// not "down"), role_limit (53300 for the bot's own role only), or error. Then what the configured target is: a
/// standby where a primary was expected (CRIT), a database of another cluster (system identifier, CRIT), or a second
/// read-write server beside the leader (split brain, CRIT); and whether any other Patroni member is read-write.
/// </summary>
internal sealed class ConnectivityProbe(PostgresConnectionFactory connections, PrimaryResolver primary, TimeProvider time)
    : PostgresProbe(connections, primary, time)
{
    private static readonly TimeSpan TcpCheck = TimeSpan.FromSeconds(1);

    public override string Name => ProbeNames.Connectivity;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var r = context.Resolution;

        // Every other member, in parallel with the main query: is any of them read-write too?
        var others = r.Members
            .Where(m => !m.IsLeader && m.Host is not null)
            .Select(m => (Member: m, Check: Primary.CheckAsync(new PostgresEndpoint(m.Host!, m.Port ?? 5432), cancellationToken)))
            .ToList();
        var rows = await QueryAsync(connection,
            """
            SELECT pg_is_in_recovery(), current_setting('server_version'),
                   extract(epoch FROM now() - pg_postmaster_start_time())::float8,
                   (SELECT system_identifier::text FROM pg_control_system()), pg_postmaster_start_time()::text
            """,
            r => (InRecovery: r.GetBoolean(0), Version: r.GetString(1), UpSeconds: r.GetDouble(2), SystemId: NullableString(r, 3), Start: r.GetString(4)), cancellationToken);
        var row = rows[0];
        findings.Fact(FactKeys.Connectivity, "ok");
        findings.Fact(DiagnosisFactKeys.InRecovery, row.InRecovery);
        findings.Fact(DiagnosisFactKeys.ConnectTimeoutSeconds, Options.ConnectTimeout.TotalSeconds);
        if (row.SystemId is { } sysid)
        {
            findings.Fact(DiagnosisFactKeys.SystemIdentifier, sysid);
        }

        if (r.ClusterSystemIdentifier is { } clusterId)
        {
            findings.Fact(DiagnosisFactKeys.ClusterSystemIdentifier, clusterId);
        }

        var where = context.OnLeader ? $" (Patroni leader {r.LeaderName}; configured target {Connections.Target})" : string.Empty;
        findings.Detail($"PostgreSQL {row.Version} at {context.Target}{where}, up for {Durations.Format(row.UpSeconds)}, {(row.InRecovery ? "a standby (in recovery)" : "a primary (read-write)")}, system identifier {row.SystemId ?? "?"}");

        JudgeTarget(context, findings, row.InRecovery, row.SystemId);
        if (context.OnLeader)
        {
            JudgeConfigured(context, findings, row.SystemId, row.Start);
        }

        var readWrite = new List<string>();
        foreach (var (member, check) in others)
        {
            var id = await check;
            findings.Detail($"member {member.Name} at {member.Host}:{member.Port ?? 5432}: {(id.Answered ? (id.InRecovery == true ? "in recovery (standby)" : "READ-WRITE (not in recovery)") : $"did not answer ({id.Error})")}");
            if (id.InRecovery == false && !id.SameServerAs(row.SystemId, row.Start))
            {
                readWrite.Add($"{member.Name} ({member.Host}:{member.Port ?? 5432})");
            }
        }

        if (readWrite.Count > 0 && !row.InRecovery)
        {
            findings.Fact(DiagnosisFactKeys.SplitBrain, string.Join(", ", readWrite.Prepend($"{r.LeaderName} ({context.Target})")));
            findings.Problem(ProbeStatus.Crit, $"split brain: {string.Join(", ", readWrite)} answer(s) pg_is_in_recovery() = false beside Patroni's leader {r.LeaderName} at {context.Target}; fence the member(s) that do not hold the leader lock");
        }

        return $"{context.Target} accepts connections ({(row.InRecovery ? "standby" : "primary")}, PostgreSQL {row.Version}){(context.OnLeader ? $", Patroni leader {r.LeaderName}" : string.Empty)}";
    }

    /// <summary>The server the probes use must be the primary, and of Patroni's cluster.</summary>
    private static void JudgeTarget(PostgresProbeContext context, ProbeFindings findings, bool inRecovery, string? systemId)
    {
        var r = context.Resolution;
        if (r.ClusterSystemIdentifier is { } clusterId && systemId is not null && !string.Equals(systemId, clusterId, StringComparison.Ordinal))
        {
            findings.Fact(DiagnosisFactKeys.OutsideCluster, true);
            findings.Problem(ProbeStatus.Crit,
                $"{context.Target}, the configured database, is not part of Patroni cluster {r.Scope ?? "(scope unknown)"}: its system identifier is {systemId}, the cluster's database_system_identifier is {clusterId}; the database checks and the Patroni checks describe different servers, so fix {ConnectionStringSetting} or Cerberus__Patroni__Urls__N");
        }

        if (!inRecovery)
        {
            return;
        }

        if (context.OnLeader)
        {
            findings.Problem(ProbeStatus.Crit, $"Patroni's leader {r.LeaderName} at {context.Target} is in recovery: no server takes writes (a promotion under way, or a standby cluster)");
            return;
        }

        findings.Fact(DiagnosisFactKeys.ConfiguredInRecovery, true);
        var why = r.PatroniAsked
            ? $"Patroni could not name the leader ({r.PatroniProblem ?? "its database is outside the cluster"})"
            : "set Cerberus__Patroni__Urls__0 so the bot follows Patroni's leader, or use a multi-host connection string with Target Session Attributes=primary";
        findings.Problem(ProbeStatus.Crit, $"{context.Target}, the configured target, is a standby (in recovery), not the primary: the primary-side checks cannot see the primary; {why}");
    }

    /// <summary>On the leader: what is the configured target? A standby (the primary moved), unreachable, or a second primary.</summary>
    private void JudgeConfigured(PostgresProbeContext context, ProbeFindings findings, string? leaderSystemId, string leaderStart)
    {
        var r = context.Resolution;
        if (r.Configured is not { } configured || Equals(Connections.ConfiguredEndpoint, context.Endpoint))
        {
            return;
        }

        if (!configured.Answered)
        {
            findings.Detail($"configured target {Connections.Target}: no answer ({configured.Error}); the checks ran on Patroni's leader {r.LeaderName} at {context.Target}");
            findings.Problem(ProbeStatus.Warn, $"the configured target {Connections.Target} does not answer ({configured.Error}); Patroni's leader {r.LeaderName} at {context.Target} does, and the checks ran there");
            return;
        }

        if (configured.SameServerAs(leaderSystemId, leaderStart))
        {
            findings.Detail($"configured target {Connections.Target} is Patroni's leader {r.LeaderName} (same system identifier and postmaster start)");
            return;
        }

        if (configured.InRecovery == true)
        {
            findings.Fact(DiagnosisFactKeys.ConfiguredInRecovery, true);
            findings.Problem(ProbeStatus.Crit,
                $"the configured target {Connections.Target} is a standby (in recovery), not the primary: Patroni's leader is {r.LeaderName} at {context.Target}, and the checks ran there; point {ConnectionStringSetting} at the leader's Service or a multi-host string with Target Session Attributes=primary");
            return;
        }

        findings.Fact(DiagnosisFactKeys.SplitBrain, $"{r.LeaderName} ({context.Target}), configured target ({Connections.Target})");
        findings.Problem(ProbeStatus.Crit,
            $"split brain: the configured target {Connections.Target} is read-write (not in recovery) beside Patroni's leader {r.LeaderName} at {context.Target}, in the same cluster; fence the one that does not hold the leader lock");
    }

    protected override async Task<ProbeResult> FailedAsync(PostgresProbeContext context, ProbeFindings findings, PostgresFailure failure, bool connected, long started, CancellationToken cancellationToken)
    {
        findings.Fact(DiagnosisFactKeys.ConnectTimeoutSeconds, Options.ConnectTimeout.TotalSeconds);
        if (failure.SqlState is { } state)
        {
            findings.Fact(DiagnosisFactKeys.SqlState, state);
        }

        if (connected)
        {
            // The session opened: the server answers the startup. A trivial query that times out is a hung server
            // (storage freeze, a stuck catalog lock); any other query error is only a warning.
            if (failure.Outcome == PostgresFailure.TimedOut)
            {
                findings.Fact(FactKeys.Connectivity, PostgresFailure.Hung);
                findings.Problem(ProbeStatus.Crit, $"{context.Target} accepted the connection but the trivial check query {failure.Description}: the server is hung");
            }
            else
            {
                findings.Fact(FactKeys.Connectivity, "ok");
                findings.Problem(ProbeStatus.Warn, $"{context.Target} accepted the connection but the check query failed: {failure.Description}");
            }

            return findings.Build(string.Empty, Time.GetElapsedTime(started));
        }

        findings.Fact(FactKeys.Connectivity, failure.Outcome);
        if (failure.Outcome == PostgresFailure.RoleLimit)
        {
            findings.Fact(DiagnosisFactKeys.RoleLimit, true);
        }

        var text = failure.Outcome switch
        {
            PostgresFailure.TimedOut => await DescribeTimeoutAsync(context, findings, failure, cancellationToken),
            PostgresFailure.Refused => $"connecting to {context.Target} was refused: nothing listens (PostgreSQL down or restarting)",
            PostgresFailure.Starting => $"connecting to {context.Target} failed during startup: {failure.Description}; PostgreSQL is down or restarting (a crash-restart loop after a PANIC looks like this)",
            PostgresFailure.Auth => $"{context.Target} answers, but the bot's credentials were rejected: {failure.Description}; fix {ConnectionStringSetting}",
            PostgresFailure.TooManyClients => $"{context.Target} answers but refuses new connections: too many clients (53300), connection exhaustion",
            PostgresFailure.RoleLimit => $"{context.Target} answers but the bot's own role is at its CONNECTION LIMIT ({failure.Description}); this is not server-wide exhaustion: other sessions of the bot hold the role's slots",
            _ => $"connecting to {context.Target} failed: {failure.Description}",
        };
        findings.Problem(PostgresFailure.ConnectivityStatus(failure.Outcome), text);
        return findings.Build(string.Empty, Time.GetElapsedTime(started));
    }

    /// <summary>After a connect timeout: is it a hung server (TCP accepts) or an unreachable one (TCP never completes)?</summary>
    private async Task<string> DescribeTimeoutAsync(PostgresProbeContext context, ProbeFindings findings, PostgresFailure failure, CancellationToken cancellationToken)
    {
        var after = failure.Description == "timed out"
            ? $"timed out after {Durations.Format(Options.ConnectTimeout)}"
            : failure.Description;
        var accepted = await TcpAcceptsAsync(context.Endpoint ?? Connections.ConfiguredEndpoint, cancellationToken);
        if (accepted is { } yes)
        {
            findings.Fact(DiagnosisFactKeys.TcpAccepted, yes);
        }

        return accepted switch
        {
            true => $"connecting to {context.Target} {after}: TCP accepts but the server never answered the startup (hung)",
            false => $"connecting to {context.Target} {after}: the TCP connect does not complete either (host down or filtered)",
            null => $"connecting to {context.Target} {after}",
        };
    }

    private async Task<bool?> TcpAcceptsAsync(PostgresEndpoint? endpoint, CancellationToken cancellationToken)
    {
        if (endpoint is null)
        {
            return null;
        }

        try
        {
            using var tcp = new TcpClient();
            using var limit = new CancellationTokenSource(TcpCheck, Time);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ArgumentException)
        {
            return null;
        }
    }
}
