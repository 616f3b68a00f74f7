using System.Globalization;
using Npgsql;

namespace Cerberus.ChatOps.Postgres;

/// <summary>
/// The one place that turns a configured connection string into a bot connection's: the credentials and the rest
/// of the string as configured, with the <see cref="PostgresSession"/>'s target, application_name and timeouts, a
/// 2 s cancellation wait, TCP keepalives every 10 s and no pool (a saturated server must not keep the bot's idle
/// sessions). <c>statement_timeout</c> and <c>lock_timeout</c> travel in the startup options, after any the string
/// has, so they hold on the server too, not only in the client.
/// </summary>
internal static class PostgresConnectionString
{
    public const int DefaultPort = 5432;

    /// <summary>
    /// The connection string for <paramref name="session"/>. Throws <see cref="ArgumentException"/> on a malformed
    /// string, saying which setting it is but never quoting it (a password may be in it).
    /// </summary>
    public static string Build(string? configured, PostgresSession session, string setting) =>
        Builder(configured, session, setting).ConnectionString;

    /// <summary>As <see cref="Build"/>, for a caller that also describes the target (host, port, database).</summary>
    public static NpgsqlConnectionStringBuilder Builder(string? configured, PostgresSession session, string setting)
    {
        ArgumentNullException.ThrowIfNull(session);
        var b = Parse(configured, setting);
        b.Timeout = (int)Math.Max(1, Math.Ceiling(session.ConnectTimeout.TotalSeconds));
        b.CommandTimeout = (int)Math.Ceiling(session.CommandTimeout.TotalSeconds);
        b.CancellationTimeout = 2000;
        b.KeepAlive = 10;
        b.Pooling = false;
        b.ApplicationName = session.ApplicationName;
        var timeouts = string.Create(CultureInfo.InvariantCulture,
            $"-c statement_timeout={(long)session.StatementTimeout.TotalMilliseconds} -c lock_timeout={(long)session.LockTimeout.TotalMilliseconds}");
        b.Options = string.IsNullOrWhiteSpace(b.Options) ? timeouts : $"{b.Options} {timeouts}";
        if (session.Host is not null)
        {
            b.Host = session.Host;
            b.Port = session.Port ?? DefaultPort;

            // One host now: a multi-host string's session attributes no longer apply.
            b.TargetSessionAttributes = null;
        }

        if (session.Database is not null)
        {
            b.Database = session.Database;
        }

        return b;
    }

    /// <summary>
    /// The configured string, parsed. Throws <see cref="ArgumentException"/> naming <paramref name="setting"/> only:
    /// Npgsql's own message can quote a fragment of the string (a password with an unquoted ';' in it).
    /// </summary>
    public static NpgsqlConnectionStringBuilder Parse(string? configured, string setting)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(configured);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new ArgumentException($"{setting} is not a valid connection string (its text is not shown: it may hold a password).", nameof(configured));
        }
    }
}
