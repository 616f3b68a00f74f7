using System.Globalization;
using Cerberus.ChatOps.Domain.Text;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// What a volume expansion reads before acting and while following: the PVC (phase, request, capacity, resize
/// conditions) and its StorageClass (whether it allows expansion).
/// </summary>
/// <param name="Pvc">The claim as read.</param>
/// <param name="StorageClass">Its StorageClass, null when it names none or the class does not exist.</param>
/// <param name="ClassProblem">Why the class could not be read (forbidden, not found), when it could not.</param>
internal sealed record PvcState(V1PersistentVolumeClaim Pvc, V1StorageClass? StorageClass, string? ClassProblem)
{
    /// <summary>Conditions the resize controllers set on a PVC (Kubernetes 1.31+ adds the two errors).</summary>
    public static readonly string[] ResizeConditions = ["Resizing", "FileSystemResizePending", "ControllerResizeError", "NodeResizeError"];

    public string Name => Pvc.Metadata?.Name ?? "?";

    public string? Phase => Pvc.Status?.Phase;

    public string? ClassName => Pvc.Spec?.StorageClassName;

    /// <summary><c>allowVolumeExpansion: true</c> on the class; false when absent, false or unreadable.</summary>
    public bool Expandable => StorageClass?.AllowVolumeExpansion == true;

    public ResourceQuantity? Request => Pvc.Spec?.Resources?.Requests is { } r && r.TryGetValue("storage", out var q) ? q : null;

    public ResourceQuantity? Capacity => Pvc.Status?.Capacity is { } c && c.TryGetValue("storage", out var q) ? q : null;

    public long RequestBytes => Request?.ToInt64() ?? 0;

    public long? CapacityBytes => Capacity?.ToInt64();

    /// <summary>The resize conditions that are True now.</summary>
    public IReadOnlyList<V1PersistentVolumeClaimCondition> ActiveConditions =>
        (Pvc.Status?.Conditions ?? [])
        .Where(c => ResizeConditions.Contains(c.Type, StringComparer.Ordinal) && string.Equals(c.Status, "True", StringComparison.OrdinalIgnoreCase))
        .ToList();

    /// <summary><c>status.allocatedResourceStatuses["storage"]</c> (Kubernetes 1.31+: ControllerResizeInProgress, NodeResizePending, …Infeasible), when set.</summary>
    public string? AllocatedStatus => Pvc.Status?.AllocatedResourceStatuses is { } s && s.TryGetValue("storage", out var v) ? v : null;

    /// <summary>A resize is under way or stuck: a resize condition or allocated status, or a request above the capacity.</summary>
    public bool Resizing => ActiveConditions.Count > 0 || AllocatedStatus is not null || (CapacityBytes is { } cap && RequestBytes > cap);

    /// <summary>The compact form compared just before the PATCH.</summary>
    public string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"pvc={Pvc.Metadata?.NamespaceProperty}/{Name};uid={Pvc.Metadata?.Uid};request={RequestBytes};capacity={CapacityBytes?.ToString(CultureInfo.InvariantCulture) ?? "?"};class={ClassName ?? "none"};expandable={(Expandable ? "true" : "false")}");

    /// <summary>The PVC as the card and the progress lines say it.</summary>
    public string Describe()
    {
        var text = $"pvc/{Name}: {Phase ?? "no phase"}, request {Request?.ToString() ?? "none"}, capacity {Capacity?.ToString() ?? "unknown"}";
        text += StorageClass is { } sc
            ? $", storage class {sc.Metadata?.Name} (allowVolumeExpansion {(Expandable ? "true" : sc.AllowVolumeExpansion is null ? "absent" : "false")}, provisioner {sc.Provisioner})"
            : ClassName is null ? ", no storage class" : $", storage class {ClassName} ({ClassProblem ?? "not found"})";
        if (Conditions() is { Length: > 0 } conditions)
        {
            text += "; " + conditions;
        }

        return text;
    }

    /// <summary>The resize conditions and allocated status, as progress says them ("FileSystemResizePending since 10:02:03Z: …").</summary>
    public string Conditions()
    {
        var parts = ActiveConditions.Select(c =>
            $"{c.Type}{(c.LastTransitionTime is { } t ? " since " + t.ToUniversalTime().ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture) : string.Empty)}{(string.IsNullOrWhiteSpace(c.Message) ? string.Empty : ": " + SecretRedactor.Redact(c.Message))}").ToList();
        if (AllocatedStatus is { } allocated)
        {
            parts.Add($"allocatedResourceStatuses.storage {allocated}");
        }

        return string.Join("; ", parts);
    }
}
