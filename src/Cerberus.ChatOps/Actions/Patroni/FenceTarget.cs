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
/// <param name="Address">Where the member was seen (its /cluster entry, or the proposal's): its REST API and PostgreSQL.</param>
internal sealed record FenceTarget(ClusterLook Look, string Member, FenceTargetState State, string Evidence, V1Pod? Pod, Domain.Incidents.MemberAddress? Address = null)
{
    public PatroniMember? Leader => Look.Leader;

    public string LeaderText => Leader is { } l
        ? string.Create(CultureInfo.InvariantCulture, $"{l.Name} ({l.State}, timeline {Look.LeaderTimeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}; its /patroni: {Look.Status(l.Name)?.Role ?? "no answer"})")
        : "no leader";

    /// <summary>
    /// What an approval binds to: the key holder and whether it is healthy, the member, whether it still needs fencing,
    /// the pod's uid. A member that rejoined, another key holder or a re-created pod is a different state. Not the
    /// leader's timeline: /cluster shows a promoted member on its old timeline until its next loop, and the fence's
    /// safety rests on who holds the key, not on which timeline it is on.
    /// </summary>
    public string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"leader={Leader?.Name ?? "none"};healthy={Look.LeaderHealthy};member={Member};fence={State != FenceTargetState.Replica};pod={Pod?.Metadata?.Uid ?? "none"}");

    /// <summary>The controller that re-creates the pod once deleted (StatefulSet, ReplicaSet...), or null for a bare pod.</summary>
    public string? Controller => Pod?.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } owner ? $"{owner.Kind}/{owner.Name}" : null;
}
