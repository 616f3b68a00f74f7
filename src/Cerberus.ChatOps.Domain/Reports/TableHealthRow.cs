namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>One row of <c>pg_stat_user_tables</c> (docs/post-incident-report.md, "Data integrity check").</summary>
public sealed record TableHealthRow(
    string Schema,
    string Table,
    long LiveTuples,
    long DeadTuples,
    double? DeadPercent,
    DateTimeOffset? LastVacuum,
    DateTimeOffset? LastAutovacuum,
    DateTimeOffset? LastAnalyze = null,
    DateTimeOffset? LastAutoanalyze = null)
{
    /// <summary>More than 20 % dead tuples and more than 100 000 of them: vacuum is not keeping up.</summary>
    public bool IsBloated => DeadPercent > 20 && DeadTuples > 100_000;

    public string QualifiedName => $"{Schema}.{Table}";
}
