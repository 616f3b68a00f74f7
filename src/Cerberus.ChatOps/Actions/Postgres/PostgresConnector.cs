using Cerberus.ChatOps.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// Opens the actions' operator connections with bounded timeouts: to the primary (the configured host), or to one
/// Patroni member by the host and port <c>/cluster</c> reports, with the same credentials. Every connection carries
/// <c>statement_timeout</c> and <c>lock_timeout</c> in its startup options (<see cref="ActionsOptions.StatementTimeout"/>,
/// <see cref="ActionsOptions.LockTimeout"/>), so a statement the server cannot finish or a lock it cannot get ends
/// on the server too, not only in the client.
/// </summary>
internal sealed class PostgresConnector(IOptions<ActionsOptions> options)
{
    public const string ApplicationName = "cerberus-chatops-actions";

    /// <summary>Npgsql's connect timeout for an operator connection.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Npgsql's command timeout; the server's statement_timeout (<see cref="ActionsOptions.StatementTimeout"/>) bounds each statement too.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly ActionsOptions _options = options.Value;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(_options.PostgresConnectionString);

    public const string NotConfigured =
        "PostgreSQL is not configured for actions: set Cerberus:Actions:PostgresConnectionString (an operator role) or Cerberus:Postgres:ConnectionString.";

    public Task<NpgsqlConnection> OpenPrimaryAsync(CancellationToken cancellationToken) =>
        OpenAsync(Build(null, null, null), cancellationToken);

    public Task<NpgsqlConnection> OpenMemberAsync(string host, int port, CancellationToken cancellationToken) =>
        OpenAsync(Build(host, port, _options.VerifyDatabase), cancellationToken);

    /// <summary>Host:port/database of the primary connection, for descriptions (never the credentials).</summary>
    public string DescribePrimary()
    {
        var b = Build(null, null, null);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }

    private NpgsqlConnectionStringBuilder Build(string? host, int? port, string? database)
    {
        if (!IsConfigured)
        {
            throw new InvalidOperationException(NotConfigured);
        }

        return PostgresConnectionString.Builder(_options.PostgresConnectionString, new PostgresSession(
            ApplicationName, ConnectTimeout, CommandTimeout, _options.StatementTimeout, _options.LockTimeout)
        {
            Host = host,
            Port = port,
            Database = database,
        }, $"{ActionsOptions.Section}:{nameof(ActionsOptions.PostgresConnectionString)}");
    }

    /// <summary>
    /// <c>SET statement_timeout</c> for the session, for a step that legitimately runs longer than
    /// <see cref="ActionsOptions.StatementTimeout"/> (CHECKPOINT); <c>RESET statement_timeout</c> returns to the connection's.
    /// </summary>
    public static async Task SetStatementTimeoutAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var set = new NpgsqlCommand($"SET statement_timeout = '{(long)timeout.TotalMilliseconds}ms'", connection);
        await set.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder builder, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
