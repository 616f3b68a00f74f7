using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The read-only verification and reconcile of the primary-side actions that never re-run their side effect
/// (CHECKPOINT, ANALYZE, session termination): a dry run has nothing to report; otherwise one operator connection
/// reads what is true now, and a failed read says what could not be read, without secrets.
/// </summary>
internal static class PrimaryReport
{
    public const string Verified = "Verified";

    public const string AfterRestart = "After the restart (not re-run)";

    public static async Task<ActionOutcome> ReadAsync(
        PostgresConnector postgres, ActionRecord action, string prefix, string reading, Func<NpgsqlConnection, Task<ActionOutcome>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(read);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            return await read(connection);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"{prefix}: could not read {reading}: {SecretRedactor.Redact(ex.Message)}");
        }
    }
}
