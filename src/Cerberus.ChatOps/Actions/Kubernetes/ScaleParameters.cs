namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// Keys of the scaling actions' <see cref="Domain.Actions.ActionRecord.Parameters"/> and of the engine's
/// <see cref="Domain.Actions.ProposalRequest.Arguments"/>.
/// </summary>
internal static class ScaleParameters
{
    /// <summary>
    /// ProposalRequest.Arguments["replicas"] for ScaleBackendUp: the count to restore, as the engine takes it from the
    /// latest successful ScaleBackendDown not yet undone (its Parameters["replicas_before"]). A positive integer.
    /// </summary>
    public const string ReplicasArgument = "replicas";

    /// <summary>spec.replicas read from deployments/scale when the proposal was made.</summary>
    public const string ReplicasBefore = "replicas_before";

    /// <summary>The count the PATCH sets.</summary>
    public const string ReplicasTarget = "replicas_target";

    /// <summary>Where ScaleBackendUp's target came from: remembered, hpa_min, remembered_raised_to_hpa_min.</summary>
    public const string TargetSource = "target_source";

    public const string Namespace = "namespace";
    public const string Deployment = "deployment";

    /// <summary>The HPA targeting the deployment, when one does (name, min, max).</summary>
    public const string Hpa = "hpa";

    public const string HpaMinReplicas = "hpa_min_replicas";
    public const string HpaMaxReplicas = "hpa_max_replicas";
}
