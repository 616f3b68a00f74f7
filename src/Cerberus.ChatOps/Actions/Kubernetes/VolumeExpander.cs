using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Timing;
using k8s;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// The Kubernetes side of growing a data volume: read the PVC and its StorageClass, send the one merge PATCH of
/// <c>spec.resources.requests.storage</c>, and follow the resize (<c>Resizing</c> by the CSI resizer, then
/// <c>FileSystemResizePending</c> until the kubelet grows the filesystem) until <c>status.capacity.storage</c> reaches
/// the request, with a deadline, reporting each change.
/// </summary>
internal sealed partial class VolumeExpander(KubernetesAccess access, DataVolumeMeter meter, TimeProvider time, ILogger<VolumeExpander> logger)
{
    /// <summary>The grants an expansion needs beyond the base Role (components/volume-expansion).</summary>
    public const string ReadGrant = "persistentvolumeclaims get, storageclasses get (a ClusterRole: components/volume-expansion)";

    public const string PatchGrant = "persistentvolumeclaims patch (components/volume-expansion)";

    public KubernetesOptions Options => access.Options;

    public DataVolumeMeter Meter => meter;

    public string Namespace => Options.Namespace;

    public bool TryGetClient(out IKubernetes client, out string reason)
    {
        if (access.TryGetClient(out var c, out var r))
        {
            client = c;
            reason = string.Empty;
            return true;
        }

        client = null!;
        reason = r;
        return false;
    }

    public static string PatchBody(string size) => "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + size + "\"}}}}";

    /// <summary>Exactly what runs, as the approval card shows it.</summary>
    public string Describe(string claim, string size) =>
        $"PATCH v1 namespaces/{Namespace}/persistentvolumeclaims/{claim} {PatchBody(size)} (merge patch), then follow status.conditions "
        + $"(Resizing, FileSystemResizePending) until status.capacity.storage reaches {size} (at most {Durations.Format(Options.VolumeResizeTimeout)})";

    /// <summary>Reads the PVC and its StorageClass; null when the PVC does not exist. Other failures propagate.</summary>
    public async Task<PvcState?> ReadAsync(IKubernetes client, string claim, CancellationToken cancellationToken)
    {
        V1PersistentVolumeClaim pvc;
        try
        {
            pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claim, Namespace, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
        {
            return null;
        }

        if (pvc.Spec?.StorageClassName is not { Length: > 0 } className)
        {
            return new PvcState(pvc, null, null);
        }

        try
        {
            return new PvcState(pvc, await client.StorageV1.ReadStorageClassAsync(className, cancellationToken: cancellationToken), null);
        }
        catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
        {
            return new PvcState(pvc, null, "not found");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return new PvcState(pvc, null, KubernetesErrors.Describe(ex, "storageclasses get (a ClusterRole: components/volume-expansion)"));
        }
    }

    /// <summary>Why <paramref name="state"/> cannot grow to <paramref name="sizeBytes"/> (null: it can); one sentence.</summary>
    public string? Refusal(PvcState state, long? sizeBytes)
    {
        ArgumentNullException.ThrowIfNull(state);
        var pvc = $"pvc/{state.Name}";
        if (!string.Equals(state.Phase, "Bound", StringComparison.Ordinal))
        {
            return $"{pvc} is {state.Phase ?? "in no phase"}, not Bound: only a bound claim can be expanded";
        }

        if (state.ClassName is null)
        {
            return $"{pvc} has no storage class, so nothing can expand it (statically provisioned volumes are grown by hand at the storage, then the PV)";
        }

        if (state.StorageClass is null)
        {
            return $"{pvc}'s storage class {state.ClassName} cannot be read ({state.ClassProblem ?? "not found"}), so whether it allows expansion is unknown";
        }

        if (!state.Expandable)
        {
            return $"{pvc}'s storage class {state.ClassName} has allowVolumeExpansion {(state.StorageClass.AllowVolumeExpansion is null ? "absent" : "false")}: the API server refuses any larger request; free space another way, or move the data to a class that allows expansion";
        }

        if (state.Resizing)
        {
            return $"{pvc} is already being resized (request {state.Request}, capacity {state.Capacity?.ToString() ?? "unknown"}{(state.Conditions() is { Length: > 0 } c ? "; " + c : string.Empty)}): let that resize finish, or fix what blocks it, first";
        }

        if (sizeBytes is { } size)
        {
            var current = Math.Max(state.RequestBytes, state.CapacityBytes ?? 0);
            if (size <= current)
            {
                return $"the new size {ByteSize.Format(size)} is not larger than {pvc}'s current {state.Capacity?.ToString() ?? state.Request?.ToString()} ({ByteSize.Format(current)}): a PVC only grows";
            }

            if (current > 0 && size > current * Options.MaxVolumeGrowthFactor)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"the new size {ByteSize.Format(size)} is more than {Options.MaxVolumeGrowthFactor:0.##} × {pvc}'s current {ByteSize.Format(current)} (a typo?); propose a smaller size, or raise Cerberus__Kubernetes__MaxVolumeGrowthFactor");
            }
        }

        return null;
    }

    public async Task PatchAsync(IKubernetes client, string claim, string size, CancellationToken cancellationToken)
    {
        var body = PatchBody(size);
        Log.Patching(logger, Namespace, claim, body);
        await client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), claim, Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Reads the PVC until <c>status.capacity.storage</c> ≥ <paramref name="sizeBytes"/>: success; a resize error
    /// condition or an infeasible allocated status: failure at once; the deadline: failure saying where it stands
    /// (FileSystemResizePending: the kubelet grows the filesystem when it next mounts it, and a driver without online
    /// expansion needs the pod restarted, which for the leader is a restart of PostgreSQL: the operator's decision).
    /// </summary>
    public async Task<ActionOutcome> FollowAsync(IKubernetes client, string claim, long sizeBytes, long capacityBefore, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        string? last = null;
        var polled = await Poll.UntilAsync(time, Options.VolumeResizeTimeout, Options.VolumeResizePollInterval, async ct =>
        {
            var pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claim, Namespace, cancellationToken: ct);
            var state = new PvcState(pvc, null, null);
            var line = $"pvc/{claim}: capacity {state.Capacity?.ToString() ?? "unknown"}{(state.Conditions() is { Length: > 0 } c ? ", " + c : string.Empty)}";
            if (!string.Equals(line, last, StringComparison.Ordinal))
            {
                progress.Report(line);
                last = line;
            }

            return state;
        }, state => (state.CapacityBytes ?? 0) >= sizeBytes || Stuck(state) is not null, cancellationToken);

        var final = polled.Last;
        var figures = Figures(claim, capacityBefore, sizeBytes, final.CapacityBytes);
        if ((final.CapacityBytes ?? 0) >= sizeBytes)
        {
            return ActionOutcome.Success($"pvc/{claim} grew from {ByteSize.Format(capacityBefore)} to {final.Capacity} (status.capacity.storage)", figures);
        }

        var events = await WarningEventsAsync(client, claim, cancellationToken);
        if (Stuck(final) is { } stuck)
        {
            return ActionOutcome.Failure($"pvc/{claim}: the resize failed ({stuck}){events}; the request stays at {ByteSize.Format(sizeBytes)}, the capacity at {final.Capacity}", figures);
        }

        var pending = final.ActiveConditions.Any(c => string.Equals(c.Type, "FileSystemResizePending", StringComparison.Ordinal))
                      || string.Equals(final.AllocatedStatus, "NodeResizePending", StringComparison.Ordinal);
        var where = pending
            ? "the volume itself is larger, and the filesystem waits for the kubelet (FileSystemResizePending): it grows it on the node while the pod runs when the CSI driver supports online expansion; otherwise it grows when the pod is restarted, and restarting the leader's pod restarts PostgreSQL (a failover if Patroni decides so): decide that apart, the bot does not restart it"
            : "the controller has not finished resizing the volume (Resizing): look at the CSI resizer (kubectl describe pvc " + claim + ")";
        return ActionOutcome.Failure(
            $"pvc/{claim}: capacity {final.Capacity?.ToString() ?? "unknown"} after {Durations.Format(Options.VolumeResizeTimeout)}, not yet the {ByteSize.Format(sizeBytes)} requested: {where}{events}", figures);
    }

    public static Dictionary<string, string> Figures(string claim, long capacityBefore, long requested, long? capacityAfter)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ActionFigureKeys.VolumeClaim] = claim,
            [ActionFigureKeys.VolumeCapacityBefore] = capacityBefore.ToString(CultureInfo.InvariantCulture),
            [ActionFigureKeys.VolumeRequestedBytes] = requested.ToString(CultureInfo.InvariantCulture),
        };
        if (capacityAfter is { } after && after != capacityBefore)
        {
            figures[ActionFigureKeys.VolumeCapacityAfter] = after.ToString(CultureInfo.InvariantCulture);
        }

        return figures;
    }

    /// <summary>A resize that cannot finish by waiting: an error condition (1.31+) or an infeasible allocated status.</summary>
    private static string? Stuck(PvcState state)
    {
        var error = state.ActiveConditions.FirstOrDefault(c => c.Type is "ControllerResizeError" or "NodeResizeError");
        if (error is not null)
        {
            return $"{error.Type}: {SecretRedactor.Redact(error.Message ?? "no message")}";
        }

        return state.AllocatedStatus is { } s && s.EndsWith("Infeasible", StringComparison.Ordinal) ? $"allocatedResourceStatuses.storage {s}" : null;
    }

    /// <summary>The PVC's latest Warning events (VolumeResizeFailed, ...), as a clause; empty when none or unreadable.</summary>
    private async Task<string> WarningEventsAsync(IKubernetes client, string claim, CancellationToken cancellationToken)
    {
        try
        {
            var list = await client.CoreV1.ListNamespacedEventAsync(
                Namespace, fieldSelector: $"involvedObject.kind=PersistentVolumeClaim,involvedObject.name={claim},type=Warning", cancellationToken: cancellationToken);
            var latest = list.Items
                .OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata?.CreationTimestamp)
                .Take(2)
                .Select(e => $"{e.Reason}: {SecretRedactor.Redact(e.Message ?? string.Empty)}")
                .ToList();
            return latest.Count == 0 ? string.Empty : "; its Warning events: " + string.Join("; ", latest);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return string.Empty;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Volume expansion: PATCH v1 namespaces/{Namespace}/persistentvolumeclaims/{Claim} {Body}")]
        public static partial void Patching(ILogger logger, string @namespace, string claim, string body);
    }
}
