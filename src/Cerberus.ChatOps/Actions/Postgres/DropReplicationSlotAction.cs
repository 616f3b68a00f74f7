using System.Globalization;
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
/// Slots are owned the way Patroni 3.0.2 owns them (<see cref="PatroniSlotView"/>): active slots and the slots of
/// current members are refused unless explicitly requested; a permanent slot (<c>slots:</c> in /config) is first
/// removed from the configuration (PATCH /config), or the next leader re-creates it; an <c>ignore_slots</c> slot
/// carries a risk naming its outside consumer; no physical slot is dropped while /cluster is unreadable. The PATCH
/// and the DROP are two side effects, each preceded by a re-check of the approved state.
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

    /// <summary>Parameter: the configuration key the permanent slot is removed from (absent for other slots).</summary>
    private const string PermanentKeyParameter = "patroni_permanent_key";

    /// <summary>Figure: the key under which the slot was removed from Patroni's dynamic configuration.</summary>
    private const string ConfigPatchedFigure = "patroni_config_patched";

    private readonly PermanentSlotRemover _remover = new(patroni, time);

    public RemediationKind Kind => RemediationKind.DropReplicationSlot;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (wal, problem) = await WalPressureReader.ReadFromPrimaryAsync(postgres, "the replication slots", "slots that retain the primary's WAL are dropped on the primary.", cancellationToken);
        if (wal is null)
        {
            return ActionProposal.NotApplicable(problem!);
        }

        var view = await PatroniSlotView.ReadAsync(patroni, cancellationToken);
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

            if (SlotPolicy.Refusal(slot, view.OwnerOf(slot), allowPatroni) is { } refusal)
            {
                return ActionProposal.NotApplicable($"Not dropped: {refusal}.");
            }
        }
        else
        {
            slot = wal.Slots
                .Where(s => SlotPolicy.Refusal(s, view.OwnerOf(s), allowPatroniSlot: false) is null)
                .OrderByDescending(s => s.RetainedBytes ?? 0)
                .FirstOrDefault();
            if (slot is null)
            {
                var refusals = wal.Slots.Where(s => !s.Active).Select(s => SlotPolicy.Refusal(s, view.OwnerOf(s), allowPatroniSlot: false)).OfType<string>().Distinct().ToList();
                return ActionProposal.NotApplicable(
                    $"No inactive slot the bot may drop.{(refusals.Count == 0 ? string.Empty : " " + string.Join("; ", refusals) + ".")} {wal.Causes()}{view.Note()} {WalPressure.ArchiveCleanupWarning}");
            }
        }

        var dryRun = request.DryRun || options.Value.DryRun;
        var literal = "'" + slot.Name.Replace("'", "''", StringComparison.Ordinal) + "'";
        var frees = slot.RetainedBytes is { } r ? ByteSize.Format(r) : "an unknown amount";
        var owner = view.OwnerOf(slot);
        var risks = new List<string>();
        if (owner.Risk(slot) is { } ownerRisk)
        {
            risks.Add(ownerRisk);
        }

        if (string.Equals(slot.Type, "logical", StringComparison.Ordinal))
        {
            risks.Add($"{slot.Name} is a logical slot: its consumer (CDC, logical replica) loses its position and must be re-synchronised.");
        }

        var patch = owner.Permanent is { } permanent
            ? $": first remove it from Patroni's dynamic configuration with `PATCH /config {PermanentSlotRemover.Json(permanent)}` (a SQL drop alone is undone: the next leader re-creates a permanent slot), then"
            : string.Empty;
        var verify = view.PatroniConfigured ? " Verified on the server (pg_replication_slots) and in Patroni's configuration (GET /config on every member)." : string.Empty;

        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = slot.Name,
            Description = (dryRun ? "DRY RUN — nothing will run. Would run" : "Will run") +
                          $"{patch} on {postgres.DescribePrimary()}: `SELECT pg_drop_replication_slot({literal})` (only while it is still inactive), then `CHECKPOINT`. " +
                          $"Frees up to {frees} of WAL retained by {slot.Type} slot {slot.Name} (wal_status {slot.WalStatus ?? "unknown"}); segments still needed by wal_keep_size, the archiver or recycling stay.{verify} " +
                          WalPressure.ArchiveCleanupWarning,
            BasedOn = wal.Causes() + view.Note(),
            ObservedFingerprint = SlotCommands.Fingerprint(slot, owner),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [SlotArgument] = slot.Name,
                [RetainedParameter] = (slot.RetainedBytes ?? 0).ToString(CultureInfo.InvariantCulture),
                [WalBeforeParameter] = wal.WalBytes.ToString(CultureInfo.InvariantCulture),
            },
            Figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.SlotName] = slot.Name },
            RiskWarning = risks.Count == 0 ? null : string.Join(" ", risks),
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        if (owner.Permanent is { } p)
        {
            action.Parameters[PermanentKeyParameter] = p.Key;
        }

        Log.Proposed(logger, slot.Name, slot.RetainedBytes ?? 0, owner.Kind);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            var view = await PatroniSlotView.ReadAsync(patroni, cancellationToken);
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
            var slots = await WalPressureReader.ReadSlotsAsync(connection, inRecovery: false, cancellationToken);
            var slot = slots.FirstOrDefault(s => string.Equals(s.Name, SlotName(action), StringComparison.Ordinal));
            return slot is null ? $"slot={SlotName(action)};absent" : SlotCommands.Fingerprint(slot, view.OwnerOf(slot));
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
            return ActionOutcome.Success($"dry run: would {(IsPermanent(action) ? "remove slot " + name + " from Patroni's configuration, drop it" : "drop slot " + name)} and CHECKPOINT; nothing ran.");
        }

        var started = time.GetTimestamp();
        var done = 0;
        try
        {
            await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);

            // Before the first side effect (the PATCH, or the drop): still a primary, the slot and its owner as approved.
            var view = await PatroniSlotView.ReadAsync(patroni, cancellationToken);
            if (await SlotCommands.RecheckAsync(connection, view, Approved(action), name, cancellationToken) is { } change)
            {
                return Stopped(change, name, done, progress);
            }

            var before = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            var goneBeforeDrop = false;
            var expected = Approved(action);
            if (IsPermanent(action))
            {
                var permanent = view.Config?.FindPermanent(name)!;
                progress.Report($"Removing {name} from Patroni's dynamic configuration ({permanent}) so no leader re-creates it…");
                var removal = await _remover.RemoveAsync(permanent, progress, cancellationToken);
                done += removal.Reached;
                if (!removal.Removed)
                {
                    return ActionOutcome.Failure($"Slot {name} was not dropped: {removal.Text}.", Figures(name, done, configPatched: null));
                }

                Log.ConfigPatched(logger, name, permanent.Key);
                progress.Report($"{removal.Text}: {name} is no longer a permanent slot. Re-checking before the drop…");

                // Before the second side effect: the slot as approved, now owned by nobody. Patroni's leader drops an
                // unknown slot by itself within a loop (slots.py _drop_incorrect_slots), so "absent" is the goal reached.
                view = await PatroniSlotView.ReadAsync(patroni, cancellationToken);
                expected = SlotPart(Approved(action)) + ";" + SlotOwnership.Nobody.Fingerprint;
                if (await SlotCommands.RecheckAsync(connection, view, expected, name, cancellationToken) is { } changed)
                {
                    goneBeforeDrop = changed.Observed == $"primary=True;slot={name};absent";
                    if (!goneBeforeDrop)
                    {
                        return Stopped(changed, name, done, progress, permanent.Key);
                    }

                    progress.Report($"Patroni's leader dropped {name} itself once the configuration no longer listed it (slots.py _drop_incorrect_slots).");
                }
            }

            if (!goneBeforeDrop)
            {
                var dropped = await SlotCommands.DropAsync(connection, name, cancellationToken);
                if (!dropped)
                {
                    // It became active (or was dropped) between the re-check and the drop.
                    var raced = await SlotCommands.RecheckAsync(connection, view, expected, name, cancellationToken)
                                ?? (expected, $"primary=True;slot={name};active or gone at the drop");
                    if (!(done > 0 && raced.Observed == $"primary=True;slot={name};absent"))
                    {
                        return Stopped(raced, name, done, progress, IsPermanent(action) ? action.Parameters[PermanentKeyParameter] : null);
                    }
                }
                else
                {
                    done++;
                }
            }

            progress.Report($"Slot {name} is gone; running CHECKPOINT so the server removes the WAL it no longer needs…");
            await SlotCommands.CheckpointAsync(connection, cancellationToken);
            var after = await WalPressureReader.WalBytesAsync(connection, cancellationToken);
            var figures = Figures(name, done, IsPermanent(action) ? action.Parameters[PermanentKeyParameter] : null);
            figures[ActionFigureKeys.WalFreedBytes] = Math.Max(0, before.Behind - after.Behind).ToString(CultureInfo.InvariantCulture);
            figures.Remove(ActionOutcome.SideEffectsDoneFigure);
            Log.Dropped(logger, name, before.Behind, after.Behind);
            return ActionOutcome.Success(
                $"{(IsPermanent(action) ? "Removed slot " + name + " from Patroni's configuration, " + (goneBeforeDrop ? "Patroni dropped it" : "dropped it") : "Dropped slot " + name)} " +
                $"and checkpointed in {Durations.Format(time.GetElapsedTime(started))}: {WalText(before, after)}.", figures);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"Dropping slot {name} failed{(done > 0 ? " after its removal from Patroni's configuration" : string.Empty)}: {SecretRedactor.Redact(ex.Message)}",
                Figures(name, done, done > 0 && IsPermanent(action) ? action.Parameters[PermanentKeyParameter] : null));
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
        ArgumentNullException.ThrowIfNull(progress);
        var name = SlotName(action);
        if (!action.DryRun && IsPermanent(action))
        {
            // A restart between the PATCH and the drop: the configuration no longer lists the slot (the approved PATCH
            // happened) but the slot is still there, inactive and as approved. Finishing the approved drop is safe;
            // nothing else is ever re-sent (the PATCH never is).
            try
            {
                var view = await PatroniSlotView.ReadAsync(patroni, cancellationToken);
                if (view.Config is { } config && config.FindPermanent(name) is null)
                {
                    await using var connection = await postgres.OpenPrimaryAsync(cancellationToken);
                    var expected = SlotPart(Approved(action)) + ";" + SlotOwnership.Nobody.Fingerprint;
                    if (await SlotCommands.RecheckAsync(connection, view, expected, name, cancellationToken) is null && await SlotCommands.DropAsync(connection, name, cancellationToken))
                    {
                        progress.Report($"After the restart: Patroni's configuration no longer lists {name} and the slot was still there as approved: dropped it and checkpointing…");
                        Log.Dropped(logger, name, 0, 0);
                        await SlotCommands.CheckpointAsync(connection, cancellationToken);
                    }
                }
            }
            catch (NpgsqlException ex)
            {
                return ActionOutcome.Failure($"After the restart: could not read slot {name}: {SecretRedactor.Redact(ex.Message)}. Nothing was re-run.");
            }
        }

        // Report what is true now: the server and Patroni's configuration.
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
            var walText = (before is { } bb ? $"pg_wal {ByteSize.Format(bb)} at the proposal → {ByteSize.Format(total)} now" : $"pg_wal {ByteSize.Format(total)}") +
                          $", {ByteSize.Format(behind)} of it behind the insert position";
            var figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.SlotName] = name };
            var onServer = slots.Any(s => string.Equals(s.Name, name, StringComparison.Ordinal));

            // The configuration: no member's GET /config may list it (a listed slot comes back on the next leader).
            string? inConfig = null;
            if (patroni.Members.Count > 0)
            {
                var wait = IsPermanent(action) ? options.Value.VerifyDeadline : TimeSpan.Zero;
                inConfig = await _remover.WaitUnlistedAsync(name, wait, options.Value.PollInterval, cancellationToken);
                if (inConfig is null && IsPermanent(action))
                {
                    figures[ConfigPatchedFigure] = action.Parameters[PermanentKeyParameter];
                }
            }

            var config = patroni.Members.Count == 0 ? string.Empty : inConfig is null ? $"; Patroni's configuration does not list it" : $"; {inConfig}";
            return onServer || inConfig is not null
                ? ActionOutcome.Failure($"{prefix}: slot {name} {(onServer ? "still exists" : "is gone from the server")}{config}; {walText}. Nothing was re-run.", figures)
                : ActionOutcome.Success($"{prefix}: slot {name} is gone{config}; {walText}.", figures);
        }
        catch (NpgsqlException ex)
        {
            return ActionOutcome.Failure($"{prefix}: could not read the slots: {SecretRedactor.Redact(ex.Message)}");
        }
    }

    private static string Approved(ActionRecord action) => "primary=True;" + action.ObservedFingerprint;

    /// <summary>The approved fingerprint without its owner part.</summary>
    private static string SlotPart(string fingerprint) =>
        fingerprint.IndexOf(";owner=", StringComparison.Ordinal) is var i and >= 0 ? fingerprint[..i] : fingerprint;

    private static bool IsPermanent(ActionRecord action) => action.Parameters.ContainsKey(PermanentKeyParameter);

    private static Dictionary<string, string> Figures(string name, int done, string? configPatched)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ActionFigureKeys.SlotName] = name,
            [ActionOutcome.SideEffectsDoneFigure] = done.ToString(CultureInfo.InvariantCulture),
        };
        if (configPatched is not null)
        {
            figures[ConfigPatchedFigure] = configPatched;
        }

        return figures;
    }

    private ActionOutcome Stopped((string Approved, string Observed) change, string name, int done, IProgress<string> progress, string? configPatched = null)
    {
        Log.StateChanged(logger, name, change.Approved, change.Observed);
        progress.Report($"Slot {name} was not dropped: the state changed since the approval ({change.Approved} → {change.Observed})." +
                        (configPatched is null ? string.Empty : $" It was already removed from Patroni's configuration (`{configPatched}`)."));
        return ActionOutcome.StateChanged(change.Approved, change.Observed, Figures(name, done, configPatched));
    }

    /// <summary>before → after, total and behind the insert position (recycled segments stay as future WAL).</summary>
    internal static string WalText((long Total, long Behind) before, (long Total, long Behind) after) =>
        $"WAL behind the insert position {ByteSize.Format(before.Behind)} → {ByteSize.Format(after.Behind)}, pg_wal {ByteSize.Format(before.Total)} → {ByteSize.Format(after.Total)}" +
        (after.Total >= before.Total && after.Behind < before.Behind ? " (the server recycled the freed segments as future WAL: they are reused instead of growing pg_wal)" : string.Empty);

    private static string SlotName(ActionRecord action) =>
        action.Parameters.TryGetValue(SlotArgument, out var s) ? s : action.Target;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed dropping slot {Slot} retaining {RetainedBytes} bytes (owner {Owner})")]
        public static partial void Proposed(ILogger logger, string slot, long retainedBytes, SlotOwnerKind owner);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Dropped slot {Slot}; WAL behind the insert position {Before} → {After} bytes")]
        public static partial void Dropped(ILogger logger, string slot, long before, long after);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Slot {Slot} not dropped: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string slot, string approved, string observed);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Removed permanent slot {Slot} from Patroni's dynamic configuration ({Key})")]
        public static partial void ConfigPatched(ILogger logger, string slot, string key);
    }
}
