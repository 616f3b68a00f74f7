using System.Globalization;
using System.Text.Json;
using k8s;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// The kubelet Summary API through the API server's node proxy, <c>GET /api/v1/nodes/{node}/proxy/stats/summary</c>
/// (<c>KubeletVolumeStats=true</c>): <c>pods[].volume[]</c> of the pod, matched by <c>pvcRef</c> (or by the pod volume's
/// name when it is no PVC), with <c>capacityBytes</c>, <c>usedBytes</c>, <c>availableBytes</c>, <c>inodes</c>,
/// <c>inodesFree</c> and <c>time</c>. Works while the postgres container crash-loops (the pod keeps its volumes), but
/// needs the cluster-scoped <c>nodes/proxy get</c>, which reaches every kubelet endpoint (docs/kubernetes.md).
/// </summary>
internal sealed class KubeletSummaryVolumeSource(KubernetesOptions options) : IVolumeStatsSource
{
    /// <summary>The Summary API answer is a few hundred KiB on a busy node; more is not a Summary.</summary>
    public const int MaxSummaryBytes = 8 << 20;

    public string Name => "kubelet Summary API";

    public bool Enabled => options.KubeletVolumeStats;

    public async Task<VolumeSourceResult> ReadAsync(IKubernetes client, PostgresPod pod, DataVolume volume, CancellationToken cancellationToken)
    {
        var node = pod.Pod.Spec?.NodeName;
        if (string.IsNullOrEmpty(node))
        {
            return VolumeSourceResult.Failed(Name, $"pod {pod.Name} is not scheduled on a node");
        }

        var what = $"GET nodes/{node}/proxy/stats/summary";
        try
        {
            await using var stream = await client.CoreV1.ConnectGetNodeProxyWithPathAsync(node, "stats/summary", cancellationToken: cancellationToken);
            using var limited = new MemoryStream();
            await CopyLimitedAsync(stream, limited, cancellationToken);
            limited.Position = 0;
            using var summary = await JsonDocument.ParseAsync(limited, cancellationToken: cancellationToken);
            return Read(summary.RootElement, pod, volume, node, what);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken) || ex is InvalidDataException)
        {
            return VolumeSourceResult.Failed(Name, $"{what}: {(ex is InvalidDataException ? ex.Message : KubernetesErrors.Describe(ex, "nodes/proxy get (a ClusterRole: see components/kubelet-volume-stats)"))}");
        }
    }

    /// <summary>Finds the pod and its data volume in a Summary document (kubelet <c>stats/v1alpha1</c>).</summary>
    internal VolumeSourceResult Read(JsonElement summary, PostgresPod pod, DataVolume volume, string node, string what)
    {
        var podStats = Array(summary, "pods").FirstOrDefault(p =>
            p.TryGetProperty("podRef", out var r)
            && string.Equals(Str(r, "name"), pod.Name, StringComparison.Ordinal)
            && string.Equals(Str(r, "namespace"), options.Namespace, StringComparison.Ordinal));
        if (podStats.ValueKind == JsonValueKind.Undefined)
        {
            return VolumeSourceResult.Failed(Name, $"{what}: the kubelet of {node} reports no pod {options.Namespace}/{pod.Name}");
        }

        var volumes = Array(podStats, "volume");
        var match = volumes.FirstOrDefault(v =>
            volume.Claim is { } claim
                ? v.TryGetProperty("pvcRef", out var pvc) && string.Equals(Str(pvc, "name"), claim, StringComparison.Ordinal)
                : volume.VolumeName is { } name && string.Equals(Str(v, "name"), name, StringComparison.Ordinal));
        var shown = volume.Claim is { } c ? $"pvc/{c}" : $"volume {volume.VolumeName ?? "(none at " + options.DataPath + ")"}";
        if (match.ValueKind == JsonValueKind.Undefined)
        {
            var reported = volumes.Count == 0 ? "none" : string.Join(", ", volumes.Select(v => Str(v, "name") ?? "?"));
            return VolumeSourceResult.Failed(Name, $"{what}: the kubelet of {node} reports no stats for {shown} of pod {pod.Name} (volumes reported: {reported}; the kubelet measures volumes about once a minute)");
        }

        if (Long(match, "capacityBytes") is not { } capacity || Long(match, "availableBytes") is not { } available)
        {
            return VolumeSourceResult.Failed(Name, $"{what}: {shown} of pod {pod.Name} has no capacityBytes/availableBytes yet");
        }

        var used = Long(match, "usedBytes") ?? Math.Max(0, capacity - available);
        DateTimeOffset? at = Str(match, "time") is { } t && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        var stats = new VolumeStats(capacity, used, available, Long(match, "inodes"), Long(match, "inodesFree"), $"kubelet Summary API on {node} ({shown})", at);
        return VolumeSourceResult.Of(stats);
    }

    private static async Task CopyLimitedAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (to.Length + read > MaxSummaryBytes)
            {
                throw new InvalidDataException($"the Summary answer is larger than {MaxSummaryBytes >> 20} MiB");
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static List<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray()] : [];

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
