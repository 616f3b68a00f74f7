using Cerberus.ChatOps.Domain.Text;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The re-check of the actions that only need "still a primary" (CHECKPOINT, ANALYZE): the fingerprint
/// <c>primary=True|False</c>, read on a session, or through a fresh operator connection for the engine's observe.
/// </summary>
internal static class PrimaryCheck
{
    public static string Fingerprint(bool inRecovery) => $"primary={!inRecovery}";

    public static async Task<bool> InRecoveryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The fingerprint now, or "unreadable: …" (never equal to a fingerprint: nothing runs on a state nobody can see).</summary>
    public static async Task<string> ObserveAsync(PostgresConnector postgres, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            return Fingerprint(await InRecoveryAsync(connection, cancellationToken));
        }
        catch (NpgsqlException ex)
        {
            return "unreadable: " + SecretRedactor.Redact(ex.Message);
        }
    }
}
