using System.Globalization;
using Cerberus.ChatOps.Patroni;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// The member to fence and the cluster around it, read for a proposal, the re-check before the delete, and the
/// verification: the look at the cluster, how the member answers, and its pod when Kubernetes fencing is on.
/// </summary>
/// <param name="Look">The look at the cluster (/cluster, /history, every member's /patroni).</param>
/// <param name="Member">The member's Patroni name.</param>
/// <param name="State">How it answers.</param>
/// <param name="Evidence">Why <see cref="State"/>, in its own words (e.g. "its /patroni answers role master").</param>
/// <param name="Pod">Its pod, when Kubernetes fencing is on and one was found.</param>
internal sealed record FenceTarget(ClusterLook Look, string Member, FenceTargetState State, string Evidence, V1Pod? Pod)
{
    public PatroniMember? Leader => Look.Leader;

    public string LeaderText => Leader is { } l
        ? string.Create(CultureInfo.InvariantCulture, $"{l.Name} ({l.State}, timeline {l.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}; its /patroni: {Look.Status(l.Name)?.Role ?? "no answer"})")
        : "no leader";

    /// <summary>
    /// What an approval binds to: the key holder and its timeline, the member, whether it still needs fencing, the pod's uid.
    /// A member that rejoined, a new leader or a re-created pod is a different state.
    /// </summary>
    public string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"leader={Leader?.Name ?? "none"}@{Leader?.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "?"};healthy={Look.LeaderHealthy};member={Member};fence={State != FenceTargetState.Replica};pod={Pod?.Metadata?.Uid ?? "none"}");

    /// <summary>The controller that re-creates the pod once deleted (StatefulSet, ReplicaSet...), or null for a bare pod.</summary>
    public string? Controller => Pod?.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } owner ? $"{owner.Kind}/{owner.Name}" : null;
}
