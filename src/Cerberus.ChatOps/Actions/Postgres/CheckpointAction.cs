using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// <c>CHECKPOINT</c> on the primary, so the server removes or recycles the WAL segments it no longer needs once
/// the cause (slot, archiver) is fixed. Records pg_wal before → after.
/// </summary>
internal sealed partial class CheckpointAction(
    PostgresConnector postgres,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<CheckpointAction> logger) : IRemediationAction
{
    private const string WalBeforeParameter = "wal_bytes_before";

    public RemediationKind Kind => RemediationKind.Checkpoint;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (wal, problem) = await WalPressureReader.ReadFromPrimaryAsync(postgres, "pg_wal", "a CHECKPOINT there is only a restartpoint; run it on the primary.", cancellationToken);
        if (wal is null)
        {
            return ActionProposal.NotApplicable(problem!);
        }

        var dryRun = request.DryRun || options.Value.DryRun;
        var hint = wal.Slots.Any(s => !s.Active) || wal.ArchiverFailingNow
            ? " A checkpoint alone frees nothing that a slot or the archiver still holds: fix that cause first (see below)."
            : string.Empty;
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = postgres.DescribePrimary(),
            Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                          $" on {postgres.DescribePrimary()}: `CHECKPOINT` (the server then removes or recycles the WAL segments it no longer needs).{hint} " +
                          WalPressure.ArchiveCleanupWarning,
            BasedOn = wal.Causes(),
            ObservedFingerprint = PrimaryCheck.Fingerprint(wal.InRecovery),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [WalBeforeParameter] = wal.WalBytes.ToString(CultureInfo.InvariantCulture),
            },
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        return ActionProposal.Of(action);
    }

    public Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken) => PrimaryCheck.ObserveAsync(postgres, cancellationToken);

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would run CHECKPOINT on {action.Target}; nothing ran.");
        }

        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);

            // On the session that checkpoints: still the primary the approval was for (on a standby it would only be
            // a restartpoint).
            var observed = PrimaryCheck.Fingerprint(await PrimaryCheck.InRecoveryAsync(connection, cancellationToken));
            if (!string.Equals(observed, action.ObservedFingerprint, StringComparison.Ordinal))
            {
                Log.StateChanged(logger, action.ObservedFingerprint, observed);
                progress.Report($"CHECKPOINT not run: the state changed since the approval ({action.ObservedFingerprint} → {observed}).");
                return ActionOutcome.StateChanged(action.ObservedFingerprint, observed,
                    new Dictionary<string, string>(StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = "0" });
            }

            var before = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            var started = time.GetTimestamp();
            progress.Report($"CHECKPOINT on {action.Target} (pg_wal {ByteSize.Format(before.Total)})…");
            await PostgresConnector.SetStatementTimeoutAsync(connection, TimeSpan.FromSeconds(600), cancellationToken);
            await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 600 })
            {
                await checkpoint.ExecuteNonQueryAsync(cancellationToken);
            }

            var after = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            Log.Checkpointed(logger, before.Behind, after.Behind, time.GetElapsedTime(started).TotalMilliseconds);
            return ActionOutcome.Success(
                $"CHECKPOINT took {Durations.Format(time.GetElapsedTime(started))}: {DropReplicationSlotAction.WalText(before, after)}.",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [ActionFigureKeys.WalFreedBytes] = Math.Max(0, before.Behind - after.Behind).ToString(CultureInfo.InvariantCulture),
                });
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"CHECKPOINT failed: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    public Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken) =>
        ReportAsync(action, PrimaryReport.Verified, cancellationToken);

    /// <summary>A CHECKPOINT either ran or not; after a restart it reports pg_wal now and never re-runs.</summary>
    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken) =>
        ReportAsync(action, PrimaryReport.AfterRestart, cancellationToken);

    private Task<ActionOutcome> ReportAsync(ActionRecord action, string prefix, CancellationToken cancellationToken) =>
        PrimaryReport.ReadAsync(postgres, action, prefix, "pg_wal", async connection =>
        {
            var wal = await WalPressureReader.ReadAsync(connection, cancellationToken);
            var before = action.Parameters.TryGetValue(WalBeforeParameter, out var b) && long.TryParse(b, CultureInfo.InvariantCulture, out var v) ? v : wal.WalBytes;
            return ActionOutcome.Success($"{prefix}: pg_wal {ByteSize.Format(before)} (at the proposal) → {ByteSize.Format(wal.WalBytes)}. {wal.Causes()}",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [ActionFigureKeys.WalFreedBytes] = Math.Max(0, before - wal.WalBytes).ToString(CultureInfo.InvariantCulture),
                });
        }, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "CHECKPOINT: WAL behind the insert position {Before} → {After} bytes in {ElapsedMs:0} ms")]
        public static partial void Checkpointed(ILogger logger, long before, long after, double elapsedMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "CHECKPOINT not run: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string approved, string observed);
    }
}
