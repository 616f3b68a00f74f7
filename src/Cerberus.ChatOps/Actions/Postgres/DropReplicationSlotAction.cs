using System.Globalization;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// WAL pressure from an inactive replication slot: names the slot and the WAL it retains, drops it with
/// <c>pg_drop_replication_slot</c> after approval, then <c>CHECKPOINT</c> so the server removes the segments itself.
/// Active slots and the slots Patroni manages for current members are refused unless explicitly requested.
/// </summary>
internal sealed partial class DropReplicationSlotAction(
    PostgresConnector postgres,
    IPatroniClient patroni,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<DropReplicationSlotAction> logger) : IRemediationAction
{
    public const string SlotArgument = "slot";
    public const string AllowPatroniSlotArgument = "allow_patroni_slot";
    private const string WalBeforeParameter = "wal_bytes_before";
    private const string RetainedParameter = "retained_bytes";

    public RemediationKind Kind => RemediationKind.DropReplicationSlot;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (wal, problem) = await WalPressureReader.ReadFromPrimaryAsync(postgres, "the replication slots", "slots that retain the primary's WAL are dropped on the primary.", cancellationToken);
        if (wal is null)
        {
            return ActionProposal.NotApplicable(problem!);
        }

        var (members, membersNote) = await PatroniMembersAsync(cancellationToken);
        var allowPatroni = request.Arguments.TryGetValue(AllowPatroniSlotArgument, out var allow) && bool.TryParse(allow, out var a) && a;
        ReplicationSlotInfo? slot;
        if (request.Arguments.TryGetValue(SlotArgument, out var requested) && !string.IsNullOrWhiteSpace(requested))
        {
            slot = wal.Slots.FirstOrDefault(s => string.Equals(s.Name, requested.Trim(), StringComparison.Ordinal));
            if (slot is null)
            {
                return ActionProposal.NotApplicable(
                    $"There is no slot '{requested.Trim()}'. Slots: {(wal.Slots.Count == 0 ? "none" : string.Join(", ", wal.Slots.Select(s => $"{s.Name} ({(s.Active ? "active" : "inactive")})")))}.");
            }

            if (SlotPolicy.Refusal(slot, members, allowPatroni) is { } refusal)
            {
                return ActionProposal.NotApplicable($"Not dropped: {refusal}.");
            }
        }
        else
        {
            slot = wal.Slots
                .Where(s => SlotPolicy.Refusal(s, members, allowPatroniSlot: false) is null)
                .OrderByDescending(s => s.RetainedBytes ?? 0)
                .FirstOrDefault();
            if (slot is null)
            {
                return ActionProposal.NotApplicable($"No inactive slot the bot may drop. {wal.Causes()} {WalPressure.ArchiveCleanupWarning}");
            }
        }

        var dryRun = request.DryRun || options.Value.DryRun;
        var literal = "'" + slot.Name.Replace("'", "''", StringComparison.Ordinal) + "'";
        var frees = slot.RetainedBytes is { } r ? PgLsn.Bytes(r) : "an unknown amount";
        string? risk = null;
        if (SlotPolicy.IsPatroniSlot(slot, members))
        {
            risk = $"{slot.Name} is Patroni's slot for a current member: after the drop that replica may miss WAL it still needs and require a reinit (patronictl reinit).";
        }
        else if (string.Equals(slot.Type, "logical", StringComparison.Ordinal))
        {
            risk = $"{slot.Name} is a logical slot: its consumer (CDC, logical replica) loses its position and must be re-synchronised.";
        }

        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = slot.Name,
            Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                          $" on {postgres.DescribePrimary()}: `SELECT pg_drop_replication_slot({literal})` (only while it is still inactive), then `CHECKPOINT`. " +
                          $"Frees up to {frees} of WAL retained by {slot.Type} slot {slot.Name} (wal_status {slot.WalStatus ?? "unknown"}); segments still needed by wal_keep_size, the archiver or recycling stay. " +
                          WalPressure.ArchiveCleanupWarning,
            BasedOn = wal.Causes() + membersNote,
            ObservedFingerprint = Fingerprint(slot),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [SlotArgument] = slot.Name,
                [RetainedParameter] = (slot.RetainedBytes ?? 0).ToString(CultureInfo.InvariantCulture),
                [WalBeforeParameter] = wal.WalBytes.ToString(CultureInfo.InvariantCulture),
            },
            Figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.SlotName] = slot.Name },
            RiskWarning = risk,
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        Log.Proposed(logger, slot.Name, slot.RetainedBytes ?? 0);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var slots = await WalPressureReader.ReadSlotsAsync(connection, inRecovery: false, cancellationToken);
            var slot = slots.FirstOrDefault(s => string.Equals(s.Name, SlotName(action), StringComparison.Ordinal));
            return slot is null ? $"slot={SlotName(action)};absent" : Fingerprint(slot);
        }
        catch (NpgsqlException ex)
        {
            return "unreadable: " + SecretRedactor.Redact(ex.Message);
        }
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var name = SlotName(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would drop slot {name} and CHECKPOINT; nothing ran.");
        }

        var started = time.GetTimestamp();
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);

            // Just before the drop, on the session that drops: still a primary, the slot still as approved (inactive,
            // same type and wal_status). The drop itself keeps its own NOT active guard for the last instant.
            if (await RecheckAsync(connection, action, name, cancellationToken) is { } change)
            {
                return Stopped(change, name, progress);
            }

            var before = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            await using (var drop = new NpgsqlCommand(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @name AND NOT active", connection))
            {
                drop.Parameters.AddWithValue("name", name);
                var dropped = 0;
                await using (var reader = await drop.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        dropped++;
                    }
                }

                if (dropped == 0)
                {
                    // It became active (or was dropped) between the re-check and the drop.
                    var raced = await RecheckAsync(connection, action, name, cancellationToken)
                                ?? (Approved(action), $"primary=True;slot={name};active or gone at the drop");
                    return Stopped(raced, name, progress);
                }
            }

            progress.Report($"Dropped slot {name}; running CHECKPOINT so the server removes the WAL it no longer needs…");
            await PostgresConnector.SetStatementTimeoutAsync(connection, TimeSpan.FromSeconds(600), cancellationToken);
            await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 600 })
            {
                await checkpoint.ExecuteNonQueryAsync(cancellationToken);
            }

            var after = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            var figures = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ActionFigureKeys.SlotName] = name,
                [ActionFigureKeys.WalFreedBytes] = Math.Max(0, before.Behind - after.Behind).ToString(CultureInfo.InvariantCulture),
            };
            Log.Dropped(logger, name, before.Behind, after.Behind);
            return ActionOutcome.Success(
                $"Dropped slot {name} and checkpointed in {time.GetElapsedTime(started).TotalSeconds:0.0} s: {WalText(before, after)}.", figures);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"Dropping slot {name} failed: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        return await CheckGoneAsync(action, "Verified", cancellationToken);
    }

    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);

        // Never re-run after a restart: report what is true now.
        return await CheckGoneAsync(action, "After the restart", cancellationToken);
    }

    private async Task<ActionOutcome> CheckGoneAsync(ActionRecord action, string prefix, CancellationToken cancellationToken)
    {
        var name = SlotName(action);
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var slots = await WalPressureReader.ReadSlotsAsync(connection, inRecovery: false, cancellationToken);
            var (total, behind) = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            var before = action.Parameters.TryGetValue(WalBeforeParameter, out var b) && long.TryParse(b, CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
            var walText = (before is { } bb ? $"pg_wal {PgLsn.Bytes(bb)} at the proposal → {PgLsn.Bytes(total)} now" : $"pg_wal {PgLsn.Bytes(total)}") +
                          $", {PgLsn.Bytes(behind)} of it behind the insert position";
            var figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.SlotName] = name };

            return slots.Any(s => string.Equals(s.Name, name, StringComparison.Ordinal))
                ? ActionOutcome.Failure($"{prefix}: slot {name} still exists; {walText}. Nothing was re-run.", figures)
                : ActionOutcome.Success($"{prefix}: slot {name} is gone; {walText}.", figures);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"{prefix}: could not read the slots: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    /// <summary>Null while the live slot and server are the approved ones; otherwise (approved, observed).</summary>
    private static async Task<(string Approved, string Observed)?> RecheckAsync(NpgsqlConnection connection, ActionRecord action, string name, CancellationToken cancellationToken)
    {
        bool inRecovery;
        await using (var recovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection))
        {
            inRecovery = (bool)(await recovery.ExecuteScalarAsync(cancellationToken))!;
        }

        var slot = (await WalPressureReader.ReadSlotsAsync(connection, inRecovery, cancellationToken))
            .FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
        var observed = $"primary={!inRecovery};" + (slot is null ? $"slot={name};absent" : Fingerprint(slot));
        var approved = Approved(action);
        return string.Equals(approved, observed, StringComparison.Ordinal) ? null : (approved, observed);
    }

    private static string Approved(ActionRecord action) => "primary=True;" + action.ObservedFingerprint;

    private ActionOutcome Stopped((string Approved, string Observed) change, string name, IProgress<string> progress)
    {
        Log.StateChanged(logger, name, change.Approved, change.Observed);
        progress.Report($"Slot {name} was not dropped: the state changed since the approval ({change.Approved} → {change.Observed}).");
        return ActionOutcome.StateChanged(change.Approved, change.Observed,
            new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.SlotName] = name, [ActionOutcome.SideEffectsDoneFigure] = "0" });
    }

    private async Task<(IReadOnlyList<string> Members, string Note)> PatroniMembersAsync(CancellationToken cancellationToken)
    {
        if (patroni.Members.Count == 0)
        {
            return ([], string.Empty);
        }

        var answers = await patroni.GetClusterFromAllAsync(cancellationToken);
        var cluster = answers.FirstOrDefault(x => x.Value is not null)?.Value;
        return cluster is null
            ? ([], " Patroni's /cluster did not answer, so the slots Patroni manages could not be recognised.")
            : (cluster.Members.Select(m => m.Name).ToList(), $" Patroni members (their slots are Patroni's): {string.Join(", ", cluster.Members.Select(m => m.Name))}.");
    }

    /// <summary>before → after, total and behind the insert position (recycled segments stay as future WAL).</summary>
    internal static string WalText((long Total, long Behind) before, (long Total, long Behind) after) =>
        $"WAL behind the insert position {PgLsn.Bytes(before.Behind)} → {PgLsn.Bytes(after.Behind)}, pg_wal {PgLsn.Bytes(before.Total)} → {PgLsn.Bytes(after.Total)}" +
        (after.Total >= before.Total && after.Behind < before.Behind ? " (the server recycled the freed segments as future WAL: they are reused instead of growing pg_wal)" : string.Empty);

    private static string Fingerprint(ReplicationSlotInfo slot) =>
        $"slot={slot.Name};type={slot.Type};active={slot.Active};wal_status={slot.WalStatus ?? "null"}";

    private static string SlotName(ActionRecord action) =>
        action.Parameters.TryGetValue(SlotArgument, out var s) ? s : action.Target;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed dropping slot {Slot} retaining {RetainedBytes} bytes")]
        public static partial void Proposed(ILogger logger, string slot, long retainedBytes);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Dropped slot {Slot}; WAL behind the insert position {Before} → {After} bytes")]
        public static partial void Dropped(ILogger logger, string slot, long before, long after);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Slot {Slot} not dropped: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string slot, string approved, string observed);
    }
}
