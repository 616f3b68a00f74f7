namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// What <see cref="DataVolumeMeter"/> found: the leader's pod and data volume, the first reading a source gave (null when
/// none did), every source it tried, or, when it could not even get that far, why (<see cref="Problem"/>).
/// </summary>
/// <param name="Pod">The pod measured (Patroni's leader by its role label, else the first postgres pod).</param>
/// <param name="Pods">Every postgres pod found (the other members' claims are named on an expansion card).</param>
/// <param name="Volume">The pod's data volume.</param>
/// <param name="Stats">The reading, or null when no source measured it (free space unknown).</param>
/// <param name="Attempts">Each source tried, in order, with its reading or its problem.</param>
/// <param name="Problem">Kubernetes off, the pods could not be listed, no postgres pod: then nothing else is set.</param>
internal sealed record VolumeMeasurement(
    PostgresPod? Pod,
    IReadOnlyList<PostgresPod> Pods,
    DataVolume? Volume,
    VolumeStats? Stats,
    IReadOnlyList<VolumeSourceResult> Attempts,
    string? Problem)
{
    public static VolumeMeasurement Failed(string problem) => new(null, [], null, null, [], problem);

    /// <summary>Why free space is unknown: each source's problem, or that none is configured.</summary>
    public string UnknownReason => Problem ?? Attempts.Count switch
    {
        0 => DataVolumeMeter.NoSourceReason,
        1 => Attempts[0].Problem ?? "no reading",
        _ => string.Join("; ", Attempts.Where(a => a.Problem is not null).Select(a => $"{a.Source}: {a.Problem}")),
    };
}
