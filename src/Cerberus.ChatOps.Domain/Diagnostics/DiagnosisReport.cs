using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>One run of all probes, classified.</summary>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="FinishedAt">When the last probe answered or timed out (UTC).</param>
/// <param name="Results">Every probe's result, in a stable order.</param>
/// <param name="Classification">The runbook branch the findings point to.</param>
/// <param name="Sentence">The one sentence at the top of the diagnostics message.</param>
/// <param name="Recommended">The actions the classification recommends, best first.</param>
public sealed record DiagnosisReport(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyList<ProbeResult> Results,
    Classification Classification,
    string Sentence,
    IReadOnlyList<RemediationKind> Recommended)
{
    public ProbeStatus Worst => Results.Count == 0 ? ProbeStatus.Unknown : Results.Max(r => r.Status);

    public ProbeResult? Find(string probe) =>
        Results.FirstOrDefault(r => string.Equals(r.Probe, probe, StringComparison.Ordinal));
}
