namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The data integrity check a collector supplies: the rows, or why there are none.</summary>
/// <param name="CollectedAt">When it was read (UTC).</param>
/// <param name="Rows">The tables with the most dead tuples first.</param>
/// <param name="Problem">Why the check could not be read (timeout, refused...), free of secrets; null when it was.</param>
public sealed record TableHealth(DateTimeOffset CollectedAt, IReadOnlyList<TableHealthRow> Rows, string? Problem = null)
{
    public static TableHealth Failed(DateTimeOffset at, string problem) => new(at, [], problem);
}
