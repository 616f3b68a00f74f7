using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using k8s;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// Disk-full first aid that needs no SQL: grow the data volume's PVC when its StorageClass allows expansion. Only a
/// postgres pod's data claim (the leader's by default), only larger, never more than MaxVolumeGrowthFactor × at once.
/// Re-reads the PVC and its StorageClass just before the PATCH of <c>spec.resources.requests.storage</c>, then follows
/// the resize until <c>status.capacity.storage</c> reaches the request, saying each step in the thread. A PVC never
/// shrinks: the card says the new size is permanent.
/// </summary>
internal sealed partial class ExpandVolumeAction(VolumeExpander expander, TimeProvider time, ILogger<ExpandVolumeAction> logger) : IRemediationAction
{
    public RemediationKind Kind => RemediationKind.ExpandVolume;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!expander.TryGetClient(out var client, out var reason))
        {
            return ActionProposal.NotApplicable(reason);
        }

        string? size = null;
        long? sizeBytes = null;
        if (request.Arguments.TryGetValue(ExpandParameters.SizeArgument, out var sizeText) && !string.IsNullOrWhiteSpace(sizeText))
        {
            var parsed = VolumeSize.Parse(sizeText);
            if (parsed.Problem is { } bad)
            {
                return ActionProposal.NotApplicable(bad + ".");
            }

            (size, sizeBytes) = (parsed.Canonical, parsed.Bytes);
        }

        using var budget = new CancellationTokenSource(expander.Options.ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        VolumeMeasurement measured;
        try
        {
            measured = await expander.Meter.MeasureAsync(linked.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ActionProposal.NotApplicable($"The postgres pods could not be read within {Durations.Format(expander.Options.ProbeTimeout)}.");
        }

        if (measured.Problem is { } problem)
        {
            return ActionProposal.NotApplicable($"Cannot find the data volume: {problem}.");
        }

        var claims = measured.Pods
            .Select(p => (Pod: p, DataVolume.Of(p.Pod, expander.Options).Claim))
            .Where(x => x.Claim is not null)
            .ToList();
        var named = request.Arguments.GetValueOrDefault(ExpandParameters.PvcArgument);
        var claim = string.IsNullOrWhiteSpace(named) ? measured.Volume?.Claim : named.Trim();
        if (claim is null)
        {
            return ActionProposal.NotApplicable($"Pod {measured.Pod?.Name} mounts no PVC at {expander.Options.DataPath}: there is no claim to expand.");
        }

        var owner = claims.FirstOrDefault(x => string.Equals(x.Claim, claim, StringComparison.Ordinal));
        if (owner.Claim is null)
        {
            var known = claims.Count == 0 ? "none found" : string.Join(", ", claims.Select(x => $"{x.Claim} ({x.Pod.Name})"));
            return ActionProposal.NotApplicable($"pvc/{claim} is not the data volume of a postgres pod (label {expander.Options.PatroniClusterLabel}): the bot only grows the database's data volumes ({known}).");
        }

        PvcState? state;
        try
        {
            state = await expander.ReadAsync(client, claim, cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionProposal.NotApplicable($"Cannot read pvc/{claim}: {KubernetesErrors.Describe(ex, VolumeExpander.ReadGrant)}.");
        }

        if (state is null)
        {
            return ActionProposal.NotApplicable($"pvc/{claim} does not exist in namespace {expander.Namespace}.");
        }

        var current = Math.Max(state.RequestBytes, state.CapacityBytes ?? 0);
        if (sizeBytes is null && current > 0)
        {
            sizeBytes = VolumeSize.Default(current);
            size = VolumeSize.GiBQuantity(sizeBytes.Value);
        }

        if (expander.Refusal(state, sizeBytes) is { } refusal)
        {
            return ActionProposal.NotApplicable(refusal + ".");
        }

        if (sizeBytes is null || size is null)
        {
            return ActionProposal.NotApplicable($"pvc/{claim} reports neither a request nor a capacity: give the new size (propose expand-volume {claim} 30Gi).");
        }

        var basedOn = new List<string> { state.Describe(), $"mounted by {owner.Pod.Name} ({owner.Pod.Role ?? "no role label"})" };
        if (measured.Stats is { } stats && string.Equals(measured.Volume?.Claim, claim, StringComparison.Ordinal))
        {
            basedOn.Add(string.Create(CultureInfo.InvariantCulture, $"{stats.UsedPercent:0.0} % used, {ByteSize.Format(stats.AvailableBytes)} free (measured by {stats.Source})"));
        }
        else if (string.Equals(measured.Volume?.Claim, claim, StringComparison.Ordinal))
        {
            basedOn.Add($"free space unknown ({measured.UnknownReason})");
        }

        basedOn.Add(string.IsNullOrWhiteSpace(sizeText)
            ? $"new size {size}: the default, 1.5 × {ByteSize.Format(current)} rounded up to a whole GiB (give another: propose expand-volume {claim} <size>)"
            : $"new size {size}, as proposed");
        var others = claims.Where(x => !string.Equals(x.Claim, claim, StringComparison.Ordinal)).Select(x => $"{x.Claim} ({x.Pod.Name})").ToList();
        if (others.Count > 0)
        {
            basedOn.Add($"the other members' data volumes are not grown by this action: {string.Join(", ", others)} (a replica fills up the same way; propose them one by one)");
        }

        basedOn.Add("a PVC never shrinks: the new size is permanent (and billed); a StatefulSet's volumeClaimTemplates keep the old size for new members");
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = $"pvc {expander.Namespace}/{claim}",
            Description = expander.Describe(claim, size) + ".",
            BasedOn = string.Join("; ", basedOn),
            ObservedFingerprint = state.Fingerprint,
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ExpandParameters.Namespace] = expander.Namespace,
                [ExpandParameters.Claim] = claim,
                [ExpandParameters.Size] = size,
                [ExpandParameters.SizeBytes] = sizeBytes.Value.ToString(CultureInfo.InvariantCulture),
                [ExpandParameters.RequestBefore] = state.Request?.ToString() ?? string.Empty,
                [ExpandParameters.RequestBeforeBytes] = state.RequestBytes.ToString(CultureInfo.InvariantCulture),
                [ExpandParameters.CapacityBeforeBytes] = (state.CapacityBytes ?? 0).ToString(CultureInfo.InvariantCulture),
            },
            Figures = VolumeExpander.Figures(claim, state.CapacityBytes ?? 0, sizeBytes.Value, null),
            DryRun = request.DryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        return ActionProposal.Of(action);
    }

    /// <summary>The PVC's fingerprint now, or an "unreadable: …" text that never equals one.</summary>
    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!expander.TryGetClient(out var client, out var reason))
        {
            return reason;
        }

        try
        {
            return await expander.ReadAsync(client, Claim(action), cancellationToken) is { } state ? state.Fingerprint : "absent";
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return "unreadable: " + KubernetesErrors.Describe(ex, VolumeExpander.ReadGrant);
        }
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var claim = Claim(action);
        var size = action.Parameters.GetValueOrDefault(ExpandParameters.Size) ?? string.Empty;
        var sizeBytes = Bytes(action, ExpandParameters.SizeBytes);
        var before = Bytes(action, ExpandParameters.CapacityBeforeBytes);
        var figures = VolumeExpander.Figures(claim, before, sizeBytes, null);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"Dry run: would send {expander.Describe(claim, size)}; nothing was sent.", figures);
        }

        if (!expander.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason, figures);
        }

        var patched = false;
        try
        {
            if (await RecheckAsync(client, action, sizeBytes, progress, cancellationToken) is { } changed)
            {
                return changed;
            }

            await expander.PatchAsync(client, claim, size, cancellationToken);
            patched = true;
            progress.Report($"PATCH sent: pvc/{claim} spec.resources.requests.storage {action.Parameters.GetValueOrDefault(ExpandParameters.RequestBefore)} → {size}");
            Log.Expanded(logger, expander.Namespace, claim, size);
            var followed = await expander.FollowAsync(client, claim, sizeBytes, before, progress, cancellationToken);
            return followed with { Figures = WithSideEffect(followed.Figures) };
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return patched
                ? ActionOutcome.Failure($"The PATCH was applied (request {size}), but following the resize failed: {KubernetesErrors.Describe(ex, VolumeExpander.ReadGrant)}", WithSideEffect(figures))
                : ActionOutcome.Failure($"Expanding pvc/{claim} to {size} failed, nothing was changed: {KubernetesErrors.DescribeWithMessage(ex, VolumeExpander.PatchGrant)}", figures);
        }
    }

    /// <summary>The capacity reached the request, no resize is left pending, and (for the leader's volume) what free space is now.</summary>
    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing to verify.");
        }

        if (!expander.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        var claim = Claim(action);
        var sizeBytes = Bytes(action, ExpandParameters.SizeBytes);
        var before = Bytes(action, ExpandParameters.CapacityBeforeBytes);
        try
        {
            if (await expander.ReadAsync(client, claim, cancellationToken) is not { } state)
            {
                return ActionOutcome.Failure($"pvc/{claim} no longer exists");
            }

            var figures = VolumeExpander.Figures(claim, before, sizeBytes, state.CapacityBytes);
            if ((state.CapacityBytes ?? 0) < sizeBytes)
            {
                return ActionOutcome.Failure($"pvc/{claim}: capacity {state.Capacity?.ToString() ?? "unknown"}, not the {ByteSize.Format(sizeBytes)} requested{(state.Conditions() is { Length: > 0 } c ? " (" + c + ")" : string.Empty)}", figures);
            }

            var free = await FreeSpaceAsync(claim, cancellationToken);
            return ActionOutcome.Success($"pvc/{claim}: capacity {state.Capacity} (was {ByteSize.Format(before)}){free}", figures);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot verify pvc/{claim}: {KubernetesErrors.Describe(ex, VolumeExpander.ReadGrant)}");
        }
    }

    /// <summary>
    /// Never PATCHes again: the request at the approved size means the PATCH went out (then it follows the resize);
    /// the request as it was means it did not (nothing changed); anything else is someone else's change.
    /// </summary>
    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing was sent.");
        }

        if (!expander.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        var claim = Claim(action);
        var sizeBytes = Bytes(action, ExpandParameters.SizeBytes);
        var requestBefore = Bytes(action, ExpandParameters.RequestBeforeBytes);
        var before = Bytes(action, ExpandParameters.CapacityBeforeBytes);
        try
        {
            if (await expander.ReadAsync(client, claim, cancellationToken) is not { } state)
            {
                return ActionOutcome.Failure($"pvc/{claim} no longer exists");
            }

            var figures = VolumeExpander.Figures(claim, before, sizeBytes, state.CapacityBytes);
            if (state.RequestBytes == sizeBytes)
            {
                progress.Report($"The PATCH was applied before the bot restarted (request {state.Request}); following the resize");
                var followed = await expander.FollowAsync(client, claim, sizeBytes, before, progress, cancellationToken);
                return followed with { Figures = WithSideEffect(followed.Figures) };
            }

            if (state.RequestBytes == requestBefore)
            {
                figures[ActionOutcome.SideEffectsDoneFigure] = "0";
                return ActionOutcome.Failure($"The PATCH was not applied before the restart of the bot (pvc/{claim} still requests {state.Request}). Nothing was changed; propose the expansion again.", figures);
            }

            return ActionOutcome.Failure($"pvc/{claim} now requests {state.Request}, neither the {action.Parameters.GetValueOrDefault(ExpandParameters.RequestBefore)} it had nor the {action.Parameters.GetValueOrDefault(ExpandParameters.Size)} approved: someone else changed it; nothing done.", figures);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot reconcile pvc/{claim}: {KubernetesErrors.Describe(ex, VolumeExpander.ReadGrant)}");
        }
    }

    /// <summary>
    /// Just before the PATCH: the same PVC with the request, capacity, class and expandability the approval saw, and
    /// the approved size still larger. Null when it may go on; otherwise a state-changed outcome (nothing sent).
    /// </summary>
    private async Task<ActionOutcome?> RecheckAsync(IKubernetes client, ActionRecord action, long sizeBytes, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var claim = Claim(action);
        var state = await expander.ReadAsync(client, claim, cancellationToken);
        var observed = state?.Fingerprint ?? "absent";
        var refusal = state is null ? null : expander.Refusal(state, sizeBytes);
        var approvedNamespace = action.Parameters.GetValueOrDefault(ExpandParameters.Namespace);
        if (string.Equals(observed, action.ObservedFingerprint, StringComparison.Ordinal) && refusal is null
            && string.Equals(approvedNamespace, expander.Namespace, StringComparison.Ordinal))
        {
            return null;
        }

        var approved = $"{approvedNamespace}/{claim} {action.ObservedFingerprint}";
        var now = $"{expander.Namespace}/{claim} {observed}{(refusal is null ? string.Empty : " (" + refusal + ")")}";
        Log.StateChanged(logger, claim, approved, now);
        progress.Report($"PATCH not sent: the state changed since the approval ({approved} → {now}).");
        return ActionOutcome.StateChanged(approved, now, VolumeExpander.Figures(claim, Bytes(action, ExpandParameters.CapacityBeforeBytes), sizeBytes, null));
    }

    /// <summary>", free space now …" for the leader's data volume when a source measures it; empty otherwise.</summary>
    private async Task<string> FreeSpaceAsync(string claim, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(expander.Options.ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            var measured = await expander.Meter.MeasureAsync(linked.Token);
            return measured.Stats is { } stats && string.Equals(measured.Volume?.Claim, claim, StringComparison.Ordinal)
                ? string.Create(CultureInfo.InvariantCulture, $"; the filesystem: {stats.UsedPercent:0.0} % used, {ByteSize.Format(stats.AvailableBytes)} free of {ByteSize.Format(stats.TotalBytes)} ({stats.Source})")
                : string.Empty;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return string.Empty;
        }
    }

    private static Dictionary<string, string> WithSideEffect(IReadOnlyDictionary<string, string> figures)
    {
        var all = new Dictionary<string, string>(figures, StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = "1" };
        return all;
    }

    private static string Claim(ActionRecord action) => action.Parameters.GetValueOrDefault(ExpandParameters.Claim) ?? string.Empty;

    private static long Bytes(ActionRecord action, string key) =>
        action.Parameters.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Volume expansion of {Namespace}/{Claim} to {Size} sent")]
        public static partial void Expanded(ILogger logger, string @namespace, string claim, string size);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Volume expansion of {Claim} not sent: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string claim, string approved, string observed);
    }
}
