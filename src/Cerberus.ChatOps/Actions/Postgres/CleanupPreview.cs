namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>What the audit-log clean-up would delete, read before anything is deleted.</summary>
/// <param name="Oid">The table's oid (a table dropped and re-created is another one).</param>
/// <param name="TotalBytes">pg_total_relation_size: heap, indexes and TOAST.</param>
/// <param name="HasTimestampIndex">A valid index leads with the timestamp column.</param>
/// <param name="Cutoff">The cutoff in the column's own type; null when the column is not timestamptz, timestamp or date.</param>
/// <param name="ColumnType">format_type of the column.</param>
/// <param name="RowsOlder">Rows older than the cutoff: exact, or the planner's estimate (see <paramref name="RowsExact"/>).</param>
/// <param name="RowsExact">True for an index-bounded count that finished within the preview timeout.</param>
/// <param name="Oldest">The oldest such row, when counted exactly.</param>
/// <param name="Newest">The newest such row, when counted exactly.</param>
/// <param name="BlockSize">The server's block_size (the size of one full-page image).</param>
internal sealed record CleanupPreview(
    long Oid,
    long TotalBytes,
    bool HasTimestampIndex,
    CutoffBinding? Cutoff,
    string ColumnType,
    long RowsOlder,
    bool RowsExact,
    DateTimeOffset? Oldest,
    DateTimeOffset? Newest,
    int BlockSize);
