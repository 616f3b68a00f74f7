using System.Globalization;
using System.Net.Sockets;
using Cerberus.ChatOps.Domain.Diagnostics;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// The runbook's <c>pg_isready</c>, with Npgsql: ok, refused, timeout (a hung server: TCP accepts and the startup
/// never answers, told apart from a TCP connect that never completes), auth (28P01/28000), too_many_clients (53300,
/// a finding: connection exhaustion, not "down"), or error.
/// </summary>
internal sealed class ConnectivityProbe(PostgresConnectionFactory connections, TimeProvider time)
    : PostgresProbe(connections, time)
{
    private static readonly TimeSpan TcpCheck = TimeSpan.FromSeconds(1);

    public override string Name => ProbeNames.Connectivity;

    protected override async Task<string> ExamineAsync(NpgsqlConnection connection, ProbeFindings findings, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection,
            """
            SELECT pg_is_in_recovery(), current_setting('server_version'),
                   extract(epoch FROM now() - pg_postmaster_start_time())::float8
            """,
            r => (InRecovery: r.GetBoolean(0), Version: r.GetString(1), UpSeconds: r.GetDouble(2)), cancellationToken);
        var row = rows[0];
        findings.Fact(FactKeys.Connectivity, "ok");
        findings.Fact(DiagnosisFactKeys.InRecovery, row.InRecovery);
        findings.Fact(DiagnosisFactKeys.ConnectTimeoutSeconds, Options.ConnectTimeout.TotalSeconds);
        findings.Detail($"PostgreSQL {row.Version}, up for {ByteSize.Duration(row.UpSeconds)}, {(row.InRecovery ? "a standby (in recovery)" : "a primary (read-write)")}");
        return $"{Connections.Target} accepts connections ({(row.InRecovery ? "standby" : "primary")}, PostgreSQL {row.Version})";
    }

    protected override async Task<ProbeResult> FailedAsync(ProbeFindings findings, PostgresFailure failure, bool connected, long started, CancellationToken cancellationToken)
    {
        findings.Fact(DiagnosisFactKeys.ConnectTimeoutSeconds, Options.ConnectTimeout.TotalSeconds);
        if (failure.SqlState is { } state)
        {
            findings.Fact(DiagnosisFactKeys.SqlState, state);
        }

        if (connected)
        {
            // The session opened: the server answers; only the check query failed (statement_timeout on a stuck server...).
            findings.Fact(FactKeys.Connectivity, "ok");
            findings.Problem(failure.Outcome == PostgresFailure.TimedOut ? ProbeStatus.Unknown : ProbeStatus.Warn,
                $"{Connections.Target} accepted the connection but the check query {failure.Description}");
            return findings.Build(string.Empty, Time.GetElapsedTime(started));
        }

        findings.Fact(FactKeys.Connectivity, failure.Outcome);
        var text = failure.Outcome switch
        {
            PostgresFailure.TimedOut => await DescribeTimeoutAsync(findings, failure, cancellationToken),
            PostgresFailure.Refused => $"connecting to {Connections.Target} was refused: nothing listens (PostgreSQL down or restarting)",
            PostgresFailure.Auth => $"{Connections.Target} answers, but the bot's credentials were rejected: {failure.Description}; fix {ConnectionStringSetting}",
            PostgresFailure.TooManyClients => $"{Connections.Target} answers but refuses new connections: too many clients (53300), connection exhaustion",
            _ => $"connecting to {Connections.Target} failed: {failure.Description}",
        };
        findings.Problem(PostgresFailure.ConnectivityStatus(failure.Outcome), text);
        return findings.Build(string.Empty, Time.GetElapsedTime(started));
    }

    /// <summary>After a connect timeout: is it a hung server (TCP accepts) or an unreachable one (TCP never completes)?</summary>
    private async Task<string> DescribeTimeoutAsync(ProbeFindings findings, PostgresFailure failure, CancellationToken cancellationToken)
    {
        var after = failure.Description == "timed out"
            ? string.Create(CultureInfo.InvariantCulture, $"timed out after {Options.ConnectTimeout.TotalSeconds:0} s")
            : failure.Description;
        var accepted = await TcpAcceptsAsync(cancellationToken);
        if (accepted is { } yes)
        {
            findings.Fact(DiagnosisFactKeys.TcpAccepted, yes);
        }

        return accepted switch
        {
            true => $"connecting to {Connections.Target} {after}: TCP accepts but the server never answered the startup (hung)",
            false => $"connecting to {Connections.Target} {after}: the TCP connect does not complete either (host down or filtered)",
            null => $"connecting to {Connections.Target} {after}",
        };
    }

    private async Task<bool?> TcpAcceptsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(Options.ConnectionString);
            var host = (b.Host ?? "localhost").Split(',')[0];
            using var tcp = new TcpClient();
            using var limit = new CancellationTokenSource(TcpCheck, Time);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
            await tcp.ConnectAsync(host, b.Port, cts.Token);
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
