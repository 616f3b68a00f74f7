using System.Net.Sockets;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Text;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Why talking to PostgreSQL failed, in the connectivity probe's vocabulary (refused, timeout, hung, starting, auth,
/// too_many_clients, role_limit, error), with a redacted one-line description.
/// </summary>
internal sealed record PostgresFailure(string Outcome, string Description, string? SqlState)
{
    public const string Refused = "refused";
    public const string TimedOut = "timeout";
    public const string Auth = "auth";
    public const string TooManyClients = "too_many_clients";
    public const string Error = "error";

    /// <summary>The session opened but the trivial check query timed out (set by the connectivity probe).</summary>
    public const string Hung = "hung";

    /// <summary>57P03 cannot_connect_now (starting up, shutting down, in crash recovery), 08006, or a reset during startup.</summary>
    public const string Starting = "starting";

    /// <summary>53300 for the bot's own role (<c>too many connections for role</c>): the role's CONNECTION LIMIT, not the server's.</summary>
    public const string RoleLimit = "role_limit";

    /// <summary>Classifies <paramref name="ex"/>; <paramref name="budgetExpired"/> says the probe's own budget ran out.</summary>
    public static PostgresFailure From(Exception ex, bool budgetExpired, TimeSpan budget)
    {
        var reset = false;
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return FromSqlState(pg);
                case TimeoutException:
                    return new(TimedOut, "timed out", null);
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new(Refused, "connection refused (nothing listens on the port)", null);
                case SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable } s:
                    return new(TimedOut, $"unreachable ({s.SocketErrorCode})", null);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData }:
                    return new(Error, "the host name does not resolve", null);
                case OperationCanceledException:
                    return budgetExpired
                        ? new(TimedOut, $"did not finish within the probe's {Durations.Format(budget)} budget", null)
                        : new(Error, "cancelled", null);
                case ArgumentException:
                    return new(Error, "Cerberus:Postgres:ConnectionString is not a valid connection string", null);
                case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted }:
                case EndOfStreamException:
                case IOException:
                    // Keep looking: an IOException may wrap a more telling timeout or refusal.
                    reset = true;
                    break;
                default:
                    break;
            }
        }

        if (reset)
        {
            return new(Starting, "the server closed or reset the connection", null);
        }

        var message = SecretRedactor.Redact(ex.Message);
        return new(Error, message.Length > 200 ? message[..200] + "..." : message, null);
    }

    private static PostgresFailure FromSqlState(PostgresException pg)
    {
        var text = SecretRedactor.Redact(pg.MessageText);
        return pg.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                new(Auth, $"authentication failed ({pg.SqlState}: {text})", pg.SqlState),
            PostgresErrorCodes.TooManyConnections when text.Contains("too many connections for role", StringComparison.OrdinalIgnoreCase) =>
                new(RoleLimit, $"{pg.SqlState}: {text}", pg.SqlState),
            PostgresErrorCodes.TooManyConnections =>
                new(TooManyClients, $"the server refused the connection: too many clients ({pg.SqlState}: {text})", pg.SqlState),
            PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.ConnectionFailure =>
                new(Starting, $"{pg.SqlState}: {text}", pg.SqlState),
            PostgresErrorCodes.QueryCanceled =>
                new(TimedOut, $"statement_timeout cancelled the query ({pg.SqlState})", pg.SqlState),
            PostgresErrorCodes.LockNotAvailable =>
                new(TimedOut, $"lock_timeout expired ({pg.SqlState})", pg.SqlState),
            _ => new(Error, $"{pg.SqlState}: {text}", pg.SqlState),
        };
    }

    /// <summary>
    /// The connectivity probe's status: refused, starting, hung and 53300 are findings (CRIT), a connect timeout is
    /// UNKNOWN, bad credentials and the bot's own role limit WARN.
    /// </summary>
    public static ProbeStatus ConnectivityStatus(string outcome) => outcome switch
    {
        Refused or Starting or Hung or TooManyClients or Error => ProbeStatus.Crit,
        Auth or RoleLimit => ProbeStatus.Warn,
        _ => ProbeStatus.Unknown,
    };
}
