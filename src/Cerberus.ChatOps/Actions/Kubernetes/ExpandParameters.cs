namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// Keys of the volume expansion's <see cref="Domain.Actions.ProposalRequest.Arguments"/> and
/// <see cref="Domain.Actions.ActionRecord.Parameters"/>.
/// </summary>
internal static class ExpandParameters
{
    /// <summary>Arguments["pvc"]: the claim to grow (optional; default the leader's data volume). One of the postgres pods' data claims.</summary>
    public const string PvcArgument = "pvc";

    /// <summary>Arguments["size"]: the new size as a Kubernetes quantity (optional; default 1.5 × the capacity, rounded up to a whole GiB).</summary>
    public const string SizeArgument = "size";

    public const string Namespace = "namespace";
    public const string Claim = "claim";

    /// <summary>The quantity the PATCH sets, canonical (e.g. <c>30Gi</c>).</summary>
    public const string Size = "size";

    /// <summary>The same in bytes: the capacity the follow-up waits for.</summary>
    public const string SizeBytes = "size_bytes";

    /// <summary><c>spec.resources.requests.storage</c> when proposed, as the PVC had it (the reconcile tells "not sent" by it).</summary>
    public const string RequestBefore = "request_before";

    public const string RequestBeforeBytes = "request_before_bytes";

    /// <summary><c>status.capacity.storage</c> in bytes when proposed.</summary>
    public const string CapacityBeforeBytes = "capacity_before_bytes";
}
