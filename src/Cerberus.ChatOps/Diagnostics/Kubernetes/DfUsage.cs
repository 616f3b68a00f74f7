namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>One filesystem line of <c>df -P</c>: blocks (bytes with -B1) or inodes (with -i).</summary>
/// <param name="Filesystem">The device.</param>
/// <param name="Total">Total bytes or inodes.</param>
/// <param name="Used">Used bytes or inodes.</param>
/// <param name="Available">Available to unprivileged users (bytes or inodes).</param>
/// <param name="MountedOn">The mount point.</param>
internal sealed record DfUsage(string Filesystem, long Total, long Used, long Available, string MountedOn)
{
    /// <summary>Used over (used + available), as df computes it (root-reserved blocks count as unavailable).</summary>
    public double UsedPercent => Used + Available == 0 ? 0 : Used * 100.0 / (Used + Available);
}
