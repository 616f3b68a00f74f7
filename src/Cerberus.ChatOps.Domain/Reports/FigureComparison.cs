namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>A key diagnostic figure in the first and the last diagnosis, formatted; null where that run did not measure it.</summary>
public sealed record FigureComparison(string Label, string? Before, string? After);
