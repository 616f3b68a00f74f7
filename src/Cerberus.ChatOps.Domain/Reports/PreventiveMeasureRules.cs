using System.Globalization;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// The preventive measures: the runbook's own four, then the ones this incident's findings call for
/// (docs/post-incident-report.md, "Derived preventive measures"), each with the finding it comes from.
/// </summary>
internal static class PreventiveMeasureRules
{
    public const string RunbookReason = "runbook";

    /// <summary>The runbook's "Preventive Measures", in its order (item 4 translated from "定期进行备份恢复测试").</summary>
    public static IReadOnlyList<PreventiveMeasure> Runbook { get; } =
    [
        new("Enable automated vacuum.", RunbookReason, true),
        new("Set up WAL archiving to S3.", RunbookReason, true),
        new("Monitor disk usage with alerts.", RunbookReason, true),
        new("Run regular backup restore tests.", RunbookReason, true),
    ];

    public static IReadOnlyList<PreventiveMeasure> Derive(ReportFindings findings, DataLossEstimate dataLoss, RecoveryTimeVerdict recoveryTime)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(dataLoss);
        ArgumentNullException.ThrowIfNull(recoveryTime);
        var measures = new List<PreventiveMeasure>(Runbook);
        void Add(string text, string reason) => measures.Add(new(text, reason, false));

        var auditReasons = new List<string>();
        if (findings.AuditLogCleanupRan)
        {
            auditReasons.Add(string.Create(CultureInfo.InvariantCulture, $"the audit-log clean-up deleted {findings.AuditRowsDeleted ?? 0:N0} rows"));
        }

        if (findings.AuditLogBloated)
        {
            auditReasons.Add(DeadTuples(findings.AuditLogs!));
        }

        if (auditReasons.Count > 0)
        {
            Add($"Tune autovacuum on {findings.AuditTable} (`ALTER TABLE {findings.AuditTable} SET (autovacuum_vacuum_scale_factor = 0.01)`) and alert when a transaction runs longer than 15 min (it holds vacuum back).",
                string.Join("; ", auditReasons));
        }

        foreach (var table in findings.BloatedTables.Where(t => !string.Equals(t.QualifiedName, findings.AuditTable, StringComparison.Ordinal)))
        {
            Add($"Tune autovacuum on {table.QualifiedName} (a lower `autovacuum_vacuum_scale_factor`).", DeadTuples(table));
        }

        if (findings.AuditLogCleanupRan || findings.DiskFull)
        {
            Add($"Partition {findings.AuditTable} by month and apply the 90-day retention as `DETACH PARTITION` + `DROP TABLE` of old months: instant, no bloat, no VACUUM FULL.",
                findings.AuditLogCleanupRan ? "old audit rows had to be deleted during the incident" : "the disk filled up");
        }

        var walReasons = new List<string>();
        if (findings.ArchiverFailing)
        {
            walReasons.Add("the WAL archiver was failing");
        }

        if (findings.MaxArchiveReady > 0)
        {
            walReasons.Add(string.Create(CultureInfo.InvariantCulture, $"up to {findings.MaxArchiveReady} WAL segments waited to be archived"));
        }

        if (dataLoss.LossBytes is not 0)
        {
            walReasons.Add("WAL was lost at failover");
        }

        if (walReasons.Count > 0)
        {
            Add("Set `archive_timeout` to 60–300 s, well below the 15 min RPO, and alert when `now() − last_archived_time` exceeds 2 × archive_timeout or `pg_stat_archiver.failed_count` increases.",
                string.Join("; ", walReasons));
        }

        if (findings.InactiveSlotRetainedWal)
        {
            Add("Set `max_slot_wal_keep_size` so an inactive replication slot cannot retain WAL until the disk is full, and alert on inactive slots.",
                findings.SlotDropped ? "an inactive replication slot retained WAL and was dropped" : "an inactive replication slot retained WAL");
        }

        if (findings.DiskFull)
        {
            Add("Alert on the data volume at 80 % and 90 % used and when the time to full is under 4 h (the RTO); put pg_wal on its own volume.",
                findings.MaxDiskUsedPercent is { } used
                    ? string.Create(CultureInfo.InvariantCulture, $"the data volume reached {used:0.#} % used")
                    : "the diagnostics classified the incident as DiskFull");
        }

        if (dataLoss.LossBytes is not 0 || dataLoss.Verdict != ObjectiveVerdict.Met || recoveryTime.Verdict == ObjectiveVerdict.Missed)
        {
            Add("Test restores on a schedule: a PITR restore into a scratch namespace, its duration recorded against the 4 h RTO and a canary table checked; alert when no restore succeeded in 30 days.",
                recoveryTime.Verdict == ObjectiveVerdict.Missed ? $"the recovery took {Durations.Format(recoveryTime.TimeToRecovery)}, over the RTO" : "data was lost at failover");
        }

        if (dataLoss.LossBytes is not 0)
        {
            Add("Alert when a replica's unflushed WAL exceeds Patroni's `maximum_lag_on_failover` (1 MiB), and consider `synchronous_mode` for failovers without loss.",
                $"the failover lost {dataLoss.Amount}");
        }

        if (findings.UnresponsivePrimaryFailover)
        {
            Add("Upgrade Patroni to ≥ 3.1 (a stale primary can no longer win the leader race) and enable its watchdog (`/dev/watchdog`).",
                "the primary was unresponsive and a failover promoted a replica: on Patroni 3.0.x the old primary can take the leader lock back when it resumes");
        }

        if (findings.ConnectionExhaustion)
        {
            Add("Pool connections (PgBouncer), cap the backend's pool below `max_connections − superuser_reserved_connections`, set `idle_in_transaction_session_timeout`, and alert at 80 % connection saturation.",
                findings.MaxSaturationPercent is { } sat
                    ? string.Create(CultureInfo.InvariantCulture, $"connections reached {sat:0.#} % of the limit")
                    : "clients were refused with \"too many clients already\"");
        }

        return measures;
    }

    private static string DeadTuples(TableHealthRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.QualifiedName} has {row.DeadTuples:N0} dead tuples ({row.DeadPercent ?? 0:0.#} %)");
}
