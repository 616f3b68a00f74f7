using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>What the incident showed, reduced to the facts the preventive measures and follow-ups are derived from.</summary>
internal sealed record ReportFindings
{
    public required IReadOnlySet<Classification> Classifications { get; init; }
    public long? AuditRowsDeleted { get; init; }
    public bool AuditLogCleanupRan { get; init; }
    public TableHealthRow? AuditLogs { get; init; }

    /// <summary>The audit table the clean-up works on (Cerberus:Cleanup:Table), schema-qualified.</summary>
    public string AuditTable { get; init; } = DefaultAuditTable;
    public required IReadOnlyList<TableHealthRow> BloatedTables { get; init; }
    public double? MaxDiskUsedPercent { get; init; }
    public bool ArchiverFailing { get; init; }
    public long? MaxArchiveReady { get; init; }
    public long? MaxInactiveSlots { get; init; }
    public bool SlotDropped { get; init; }
    public double? MaxSaturationPercent { get; init; }
    public bool TooManyClients { get; init; }
    public bool UnresponsivePrimaryFailover { get; init; }

    public const string DefaultAuditTable = "audit.logs";

    public static ReportFindings From(Incident incident, TableHealth? integrity, IReadOnlyList<LogErrorRow> logErrors, string auditTable = DefaultAuditTable)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(logErrors);
        var classifications = incident.Diagnoses.Select(d => d.Classification).ToHashSet();
        if (incident.Classification is { } current)
        {
            classifications.Add(current);
        }

        var real = incident.Actions.Where(a => a.Status == ActionStatus.Succeeded && !a.DryRun).ToList();
        var cleanups = real.Where(a => a.Kind == RemediationKind.AuditLogCleanup).ToList();
        var rows = integrity?.Rows ?? [];
        var failover = real.Any(a => a.Kind == RemediationKind.Failover
                                     && !string.Equals(a.Figures.GetValueOrDefault(ActionFigureKeys.FailoverMode), ActionFigureKeys.FailoverModeSwitchover, StringComparison.OrdinalIgnoreCase));
        return new ReportFindings
        {
            Classifications = classifications,
            AuditLogCleanupRan = cleanups.Count > 0,
            AuditRowsDeleted = cleanups.Count == 0 ? null : cleanups.Sum(a => ReportFormat.ParseLong(a.Figures.GetValueOrDefault(ActionFigureKeys.RowsDeleted)) ?? 0),
            AuditTable = auditTable,
            AuditLogs = rows.FirstOrDefault(r => string.Equals(r.QualifiedName, auditTable, StringComparison.Ordinal)),
            BloatedTables = rows.Where(r => r.IsBloated).ToList(),
            MaxDiskUsedPercent = Max(incident, FactKeys.DiskUsedPercent),
            ArchiverFailing = incident.Diagnoses.Any(d => string.Equals(DiagnosticFigures.Fact(d, FactKeys.ArchiverFailing), "true", StringComparison.OrdinalIgnoreCase))
                              || logErrors.Any(e => e.Signature.Contains("archive command failed", StringComparison.OrdinalIgnoreCase)),
            MaxArchiveReady = (long?)Max(incident, FactKeys.ArchiveReadyCount),
            MaxInactiveSlots = (long?)Max(incident, FactKeys.InactiveSlots),
            SlotDropped = real.Any(a => a.Kind == RemediationKind.DropReplicationSlot),
            MaxSaturationPercent = Max(incident, FactKeys.SaturationPercent),
            TooManyClients = incident.Diagnoses.Any(d => DiagnosticFigures.Fact(d, FactKeys.Connectivity) == "too_many_clients")
                             || logErrors.Any(e => e.Signature.Contains("too many clients", StringComparison.OrdinalIgnoreCase)
                                                   || e.Signature.Contains("remaining connection slots are reserved", StringComparison.OrdinalIgnoreCase)),
            UnresponsivePrimaryFailover = failover && classifications.Contains(Classification.PrimaryUnresponsive),
        };
    }

    public bool DiskFull => Classifications.Contains(Classification.DiskFull) || MaxDiskUsedPercent >= 80;

    public bool ConnectionExhaustion =>
        Classifications.Contains(Classification.ConnectionExhaustion) || MaxSaturationPercent >= 95 || TooManyClients;

    public bool InactiveSlotRetainedWal => MaxInactiveSlots > 0 || SlotDropped;

    public bool AuditLogBloated => AuditLogs is { } a && (a.IsBloated || a.DeadTuples > 100_000);

    private static double? Max(Incident incident, string key) =>
        incident.Diagnoses.Select(d => DiagnosticFigures.Number(d, key)).Where(v => v is not null).DefaultIfEmpty(null).Max();
}
