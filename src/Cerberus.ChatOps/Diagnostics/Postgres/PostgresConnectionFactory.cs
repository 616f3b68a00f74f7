using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Builds the probes' connections from the configured string with the bot's own bounds: connect and command
/// timeouts, a 2 s cancellation wait, keepalives, server-side statement/lock timeouts, no pool (a saturated server
/// must not keep the bot's idle sessions). Exposes the target as host:port only, never credentials.
/// </summary>
internal sealed class PostgresConnectionFactory(IOptions<PostgresOptions> options)
{
    public const string ApplicationName = "cerberus-chatops";

    private readonly PostgresOptions _options = options.Value;

    public bool IsConfigured => _options.IsConfigured;

    public PostgresOptions Options => _options;

    /// <summary>host:port of the monitored server, for sentences and logs.</summary>
    public string Target
    {
        get
        {
            try
            {
                var b = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
                return string.Create(CultureInfo.InvariantCulture, $"{b.Host ?? "localhost"}:{b.Port}");
            }
            catch (ArgumentException)
            {
                return "the configured database";
            }
        }
    }

    /// <summary>The configured target's first host and its port (for a TCP check or a comparison with Patroni's leader).</summary>
    public PostgresEndpoint? ConfiguredEndpoint
    {
        get
        {
            try
            {
                var b = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
                return new PostgresEndpoint((b.Host ?? "localhost").Split(',')[0].Trim(), b.Port);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// A new, closed connection to the configured target, or to <paramref name="endpoint"/> with the configured
    /// credentials and database (Patroni's leader). Throws <see cref="ArgumentException"/> on a malformed connection string.
    /// </summary>
    public NpgsqlConnection Create(PostgresEndpoint? endpoint = null, TimeSpan? connectTimeout = null)
    {
        var b = new NpgsqlConnectionStringBuilder(_options.ConnectionString)
        {
            Timeout = (int)Math.Max(1, Math.Ceiling((connectTimeout ?? _options.ConnectTimeout).TotalSeconds)),
            CommandTimeout = (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds),
            CancellationTimeout = 2000,
            KeepAlive = 10,
            ApplicationName = ApplicationName,
            Pooling = false,
            Options = string.Create(CultureInfo.InvariantCulture,
                $"-c statement_timeout={(long)_options.StatementTimeout.TotalMilliseconds} -c lock_timeout={(long)_options.LockTimeout.TotalMilliseconds}"),
        };
        if (endpoint is not null)
        {
            b.Host = endpoint.Host;
            b.Port = endpoint.Port;

            // One host now: a multi-host string's session attributes no longer apply.
            b.TargetSessionAttributes = null;
        }

        return new NpgsqlConnection(b.ConnectionString);
    }
}
