namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// Free space of the PostgreSQL data volume as <c>df -P -B1</c> reports it in the leader's pod, or why it is unknown.
/// Unknown is its own answer: neither full nor plenty.
/// </summary>
/// <param name="AvailableBytes">Bytes available to the postgres user (df "Available"), null when unknown.</param>
/// <param name="TotalBytes">Size of the filesystem (df "1-blocks"), null when unknown.</param>
/// <param name="Where">What was measured ("df /var/lib/postgresql in pod x"), or what could not be.</param>
/// <param name="UnknownReason">Why free space is unknown; null when measured.</param>
internal sealed record FreeSpace(long? AvailableBytes, long? TotalBytes, string Where, string? UnknownReason)
{
    public bool Known => UnknownReason is null && AvailableBytes is not null && TotalBytes is not null;

    public static FreeSpace Unknown(string where, string reason) => new(null, null, where, reason);
}
