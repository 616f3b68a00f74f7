using k8s.Models;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>A pod of the Patroni cluster, with the role its <c>role</c> label gives (roles float between deployments).</summary>
/// <param name="Pod">The pod as listed.</param>
/// <param name="Role">master / primary / replica from the <c>role</c> label, or null when the label is absent.</param>
/// <param name="Deployment">The deployment whose selector found it, when found that way.</param>
internal sealed record PostgresPod(V1Pod Pod, string? Role, string? Deployment)
{
    public string Name => Pod.Metadata?.Name ?? "?";

    public bool IsLeader => Role is "master" or "primary" or "leader";
}
