namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>An error signature seen in the logs.</summary>
/// <param name="Signature">The line or signature, without timestamp and pid, free of secrets.</param>
/// <param name="Count">The most occurrences one diagnosis run saw (runs read overlapping log windows, so they are not added).</param>
/// <param name="FirstSeen">The start of the first diagnosis run that saw it.</param>
public sealed record LogErrorRow(string Signature, int Count, DateTimeOffset FirstSeen);
