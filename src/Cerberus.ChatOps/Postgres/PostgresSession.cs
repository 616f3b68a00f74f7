namespace Cerberus.ChatOps.Postgres;

/// <summary>
/// What one kind of bot connection is: the name it shows in <c>pg_stat_activity</c>, its client and server bounds,
/// and, when it is not the configured target, the member (host and port) or database it goes to instead.
/// <see cref="PostgresConnectionString.Build"/> applies it to the configured connection string.
/// </summary>
/// <param name="ApplicationName">application_name: which part of the bot this is.</param>
/// <param name="ConnectTimeout">Npgsql <c>Timeout</c>, rounded up to whole seconds (at least 1).</param>
/// <param name="CommandTimeout">Npgsql <c>Command Timeout</c>, rounded up to whole seconds.</param>
/// <param name="StatementTimeout">The server's <c>statement_timeout</c> for the session.</param>
/// <param name="LockTimeout">The server's <c>lock_timeout</c> for the session.</param>
internal sealed record PostgresSession(
    string ApplicationName, TimeSpan ConnectTimeout, TimeSpan CommandTimeout, TimeSpan StatementTimeout, TimeSpan LockTimeout)
{
    /// <summary>One member instead of the configured host(s); its multi-host session attributes no longer apply.</summary>
    public string? Host { get; init; }

    /// <summary>The member's port (with <see cref="Host"/>; 5432 when not given).</summary>
    public int? Port { get; init; }

    /// <summary>Another database than the configured one.</summary>
    public string? Database { get; init; }
}
