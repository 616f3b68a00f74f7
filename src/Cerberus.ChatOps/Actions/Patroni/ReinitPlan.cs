using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// What a replica rebuild is planned on: the believed /cluster, the leader and whether it answers as a running
/// primary (its own /patroni), every replica judged, and the leader's replication state read on its PostgreSQL.
/// </summary>
/// <param name="LeaderProblem">Why the leader is not healthy (null when it is).</param>
internal sealed record ReinitPlan(
    PatroniCluster Cluster,
    PatroniMember Leader,
    string? LeaderProblem,
    IReadOnlyList<ReplicaCondition> Replicas,
    LeaderReplication Replication,
    bool UseSlots)
{
    public bool LeaderHealthy => LeaderProblem is null;

    public int? Timeline => Leader.Timeline;

    public ReplicaCondition? Find(string name) =>
        Replicas.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));
}
