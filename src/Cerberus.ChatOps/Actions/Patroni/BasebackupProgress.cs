namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>A running base backup as the server that sends it reports it (<c>pg_stat_progress_basebackup</c>, PostgreSQL 13+).</summary>
/// <param name="TotalBytes">backup_total: null while it is not estimated (or with --no-estimate-size).</param>
internal sealed record BasebackupProgress(string Phase, long? TotalBytes, long StreamedBytes);
