namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>What one diagnostic probe found.</summary>
/// <param name="Probe">The probe's name (connectivity, connections, patroni, replication, disk, kubernetes, app).</param>
/// <param name="Status">OK / WARN / CRIT / UNKNOWN.</param>
/// <param name="Summary">One sentence a person reads first; says what timed out when UNKNOWN.</param>
/// <param name="Details">Further lines (offenders, members, slots...), already free of secrets.</param>
/// <param name="Facts">Machine-readable figures for classification and the report; keys in <see cref="FactKeys"/>.</param>
/// <param name="Duration">How long the probe ran.</param>
/// <param name="SymptomSince">The earliest time the probe can date a symptom to (for the report's detection time).</param>
public sealed record ProbeResult(
    string Probe,
    ProbeStatus Status,
    string Summary,
    IReadOnlyList<string> Details,
    IReadOnlyDictionary<string, string> Facts,
    TimeSpan Duration,
    DateTimeOffset? SymptomSince = null)
{
    public static ProbeResult Of(string probe, ProbeStatus status, string summary, TimeSpan duration) =>
        new(probe, status, summary, [], new Dictionary<string, string>(StringComparer.Ordinal), duration);
}
