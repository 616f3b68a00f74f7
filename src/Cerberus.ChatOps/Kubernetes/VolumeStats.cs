namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// One reading of the data volume's filesystem, whichever source gave it: <c>df</c> in the pod, the kubelet Summary API,
/// or the kubelet's <c>kubelet_volume_stats_*</c> series in Prometheus. All three read statfs of the mounted volume
/// (the kubelet caches its figure for up to a minute, Prometheus adds its scrape interval), so they agree up to that lag.
/// </summary>
/// <param name="TotalBytes">Size of the filesystem (df 1-blocks, kubelet capacityBytes).</param>
/// <param name="UsedBytes">Used bytes (df Used, kubelet usedBytes).</param>
/// <param name="AvailableBytes">Bytes available to the postgres user (df Available, kubelet availableBytes; root-reserved blocks excluded).</param>
/// <param name="Inodes">Total inodes, when the source tells.</param>
/// <param name="InodesFree">Free inodes, when the source tells.</param>
/// <param name="Source">What measured it, as messages name it ("df -P -B1 /var/lib/postgresql in pod pg-0").</param>
/// <param name="SampledAt">When the figure was taken, when the source says (the kubelet's time, the Prometheus sample's time); null = now.</param>
/// <param name="GrowthBytesPerHour">Growth of the used bytes the source computed itself (Prometheus <c>deriv</c> over 30 min), when it did.</param>
internal sealed record VolumeStats(
    long TotalBytes,
    long UsedBytes,
    long AvailableBytes,
    long? Inodes,
    long? InodesFree,
    string Source,
    DateTimeOffset? SampledAt = null,
    double? GrowthBytesPerHour = null)
{
    /// <summary>Used over (used + available), as df computes it.</summary>
    public double UsedPercent => UsedBytes + AvailableBytes == 0 ? 0 : UsedBytes * 100.0 / (UsedBytes + AvailableBytes);

    /// <summary>Used inodes in percent, when the source tells both figures.</summary>
    public double? InodesUsedPercent => Inodes is > 0 and { } total && InodesFree is { } free ? (total - free) * 100.0 / total : null;
}
