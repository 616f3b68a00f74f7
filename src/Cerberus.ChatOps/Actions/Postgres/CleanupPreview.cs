namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>What the audit-log clean-up would delete, read before anything is deleted.</summary>
internal sealed record CleanupPreview(
    long Oid,
    long TotalBytes,
    bool HasTimestampIndex,
    long RowsOlder,
    DateTimeOffset? Oldest,
    DateTimeOffset? Newest);
