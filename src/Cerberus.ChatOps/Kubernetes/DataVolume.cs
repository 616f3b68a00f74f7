using k8s.Models;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// The volume that holds PostgreSQL's data in a postgres pod: the pod volume mounted at (or above, or below)
/// <c>Cerberus:Kubernetes:DataPath</c> in the postgres container, and its PVC when it is one.
/// </summary>
/// <param name="VolumeName">The pod's volume name (what the kubelet Summary API reports for a volume without a PVC).</param>
/// <param name="Claim">The PVC's name, or null when the data is not on a PVC (emptyDir, hostPath) or no mount matched.</param>
/// <param name="MountPath">Where the postgres container mounts it.</param>
internal sealed record DataVolume(string? VolumeName, string? Claim, string? MountPath)
{
    /// <summary>How messages name it: pvc/&lt;claim&gt;, or pod:path.</summary>
    public string Describe(string pod, string dataPath) => Claim is null ? $"{pod}:{dataPath}" : $"pvc/{Claim}";

    /// <summary>The data volume of <paramref name="pod"/>: the longest mount related to the data path, else the pod's only PVC.</summary>
    public static DataVolume Of(V1Pod pod, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        var volumes = pod.Spec?.Volumes ?? [];
        var claims = volumes
            .Where(v => v.PersistentVolumeClaim is not null)
            .ToDictionary(v => v.Name, v => v.PersistentVolumeClaim.ClaimName, StringComparer.Ordinal);
        var containerName = PostgresPods.ContainerOf(pod, options.PostgresContainer);
        var container = pod.Spec?.Containers?.FirstOrDefault(c => string.Equals(c.Name, containerName, StringComparison.Ordinal));
        var data = options.DataPath.TrimEnd('/');
        var mount = (container?.VolumeMounts ?? [])
            .Where(m => Related(m.MountPath.TrimEnd('/'), data))
            .OrderByDescending(m => claims.ContainsKey(m.Name) ? 1 : 0)
            .ThenByDescending(m => m.MountPath.Length)
            .FirstOrDefault();
        if (mount is not null)
        {
            return new DataVolume(mount.Name, claims.GetValueOrDefault(mount.Name), mount.MountPath);
        }

        return claims.Count == 1 ? new DataVolume(claims.Keys.Single(), claims.Values.Single(), null) : new DataVolume(null, null, null);
    }

    private static bool Related(string mountPath, string dataPath) =>
        string.Equals(mountPath, dataPath, StringComparison.Ordinal)
        || dataPath.StartsWith(mountPath + "/", StringComparison.Ordinal)
        || mountPath.StartsWith(dataPath + "/", StringComparison.Ordinal);
}
