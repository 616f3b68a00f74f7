using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>What the classifier concluded from a set of probe results.</summary>
/// <param name="Classification">The runbook branch.</param>
/// <param name="Sentence">One sentence for the top of the diagnostics message; free of secrets.</param>
/// <param name="Recommended">The remediations the branch calls for, best first (empty when healthy).</param>
public sealed record DiagnosisVerdict(Classification Classification, string Sentence, IReadOnlyList<RemediationKind> Recommended);
