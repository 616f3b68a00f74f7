using System.Globalization;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>What the scaling actions read before acting: the deployment, its scale and the HPA targeting it.</summary>
/// <param name="Deployment">The deployment (generation, status, selector).</param>
/// <param name="Replicas">spec.replicas from deployments/scale.</param>
/// <param name="Hpa">The autoscaling/v2 HPA whose scaleTargetRef is this deployment, if any.</param>
/// <param name="HpaNote">Why the HPA could not be read (RBAC), when it could not.</param>
internal sealed record BackendState(V1Deployment Deployment, int Replicas, V2HorizontalPodAutoscaler? Hpa, string? HpaNote)
{
    public long Generation => Deployment.Metadata?.Generation ?? 0;

    public int Available => Deployment.Status?.AvailableReplicas ?? 0;

    public int HpaMin => Hpa?.Spec?.MinReplicas ?? 1;

    public int? HpaMax => Hpa?.Spec?.MaxReplicas;

    /// <summary>The compact form compared just before execution: current replicas and generation.</summary>
    public string Fingerprint => Of(Replicas, Generation);

    public static string Of(int replicas, long generation) =>
        string.Create(CultureInfo.InvariantCulture, $"replicas={replicas};generation={generation}");

    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Deployment.Metadata?.Name} has {Replicas} replicas ({Available} available), generation {Generation}")
        + (Hpa is null ? HpaNote is null ? "; no HPA targets it" : "; " + HpaNote : string.Create(CultureInfo.InvariantCulture, $"; HPA {Hpa.Metadata?.Name} (min {HpaMin}, max {HpaMax}) targets it"));
}
