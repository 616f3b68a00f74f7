using System.Globalization;
using Cerberus.ChatOps.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Builds the probes' connections from the configured string with the probes' bounds (<see cref="PostgresOptions"/>:
/// connect, command, statement and lock timeouts; the rest as <see cref="PostgresConnectionString"/> sets it for
/// every bot connection). Exposes the target as host:port only, never credentials.
/// </summary>
internal sealed class PostgresConnectionFactory(IOptions<PostgresOptions> options)
{
    public const string ApplicationName = "cerberus-chatops";

    private const string Setting = $"{PostgresOptions.Section}:ConnectionString";

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
                var b = PostgresConnectionString.Parse(_options.ConnectionString, Setting);
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
                var b = PostgresConnectionString.Parse(_options.ConnectionString, Setting);
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
    public NpgsqlConnection Create(PostgresEndpoint? endpoint = null, TimeSpan? connectTimeout = null) =>
        new(PostgresConnectionString.Build(_options.ConnectionString, new PostgresSession(
            ApplicationName, connectTimeout ?? _options.ConnectTimeout, _options.CommandTimeout, _options.StatementTimeout, _options.LockTimeout)
        {
            Host = endpoint?.Host,
            Port = endpoint?.Port,
        }, Setting));
}
