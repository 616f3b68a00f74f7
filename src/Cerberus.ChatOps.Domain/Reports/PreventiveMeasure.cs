namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>A preventive measure: one of the runbook's own, or one derived from this incident's findings.</summary>
/// <param name="Text">What to do.</param>
/// <param name="Reason">The finding it comes from ("runbook" for the runbook's own).</param>
/// <param name="FromRunbook">True for the runbook's four.</param>
public sealed record PreventiveMeasure(string Text, string Reason, bool FromRunbook);
