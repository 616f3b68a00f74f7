using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The key figures of a diagnosis run, read from the probes' <see cref="ProbeResult.Facts"/> and formatted.</summary>
internal static class DiagnosticFigures
{
    private static readonly (string Label, Func<DiagnosisReport, string?> Read)[] Rows =
    [
        ("Classification", d => d.Classification.ToString()),
        ("Worst probe status", d => d.Worst.ToString().ToUpperInvariant()),
        ("Connectivity", d => Fact(d, FactKeys.Connectivity)),
        ("Client connections", Connections),
        ("Connection saturation", d => Suffix(Fact(d, FactKeys.SaturationPercent), " %")),
        ("Idle in transaction", d => Fact(d, FactKeys.IdleInTransaction)),
        ("Lock waiters", d => Fact(d, FactKeys.LockWaiters)),
        ("Longest transaction", d => Seconds(Fact(d, FactKeys.LongestTransactionSeconds))),
        ("Patroni leader", d => Fact(d, FactKeys.PatroniLeader)),
        ("Patroni timeline", d => Fact(d, FactKeys.PatroniTimeline)),
        ("Max replica lag", d => Bytes(Fact(d, FactKeys.MaxReplicaLagBytes))),
        ("Replicas streaming", d => Fact(d, FactKeys.ReplicationStreaming)),
        ("Max unflushed WAL (data at risk)", d => Bytes(Fact(d, FactKeys.MaxUnflushedBytes))),
        ("Inactive replication slots", d => Fact(d, FactKeys.InactiveSlots)),
        ("WAL retained by slots", d => Bytes(Fact(d, FactKeys.SlotRetainedBytes))),
        ("Archiver failing", d => Fact(d, FactKeys.ArchiverFailing)),
        ("WAL segments waiting to be archived", d => Fact(d, FactKeys.ArchiveReadyCount)),
        ("WAL size (pg_wal)", d => Bytes(Fact(d, FactKeys.WalBytes))),
        ("Database size", d => Bytes(Fact(d, FactKeys.DatabaseBytes))),
        ("Disk used", d => Suffix(Fact(d, FactKeys.DiskUsedPercent), " %")),
        ("Disk free", d => Bytes(Fact(d, FactKeys.DiskFreeBytes))),
        ("App HTTP status", d => Fact(d, FactKeys.AppHttpStatus)),
        ("App latency", d => Suffix(Fact(d, FactKeys.AppLatencyMs), " ms")),
    ];

    /// <summary>The rows measured by <paramref name="before"/> or <paramref name="after"/>, in a fixed order.</summary>
    public static IReadOnlyList<FigureComparison> Compare(DiagnosisReport? before, DiagnosisReport? after) =>
        Rows.Select(r => new FigureComparison(r.Label, before is null ? null : r.Read(before), after is null ? null : r.Read(after)))
            .Where(c => c.Before is not null || c.After is not null)
            .ToList();

    /// <summary>The first value any probe of the run recorded under <paramref name="key"/>.</summary>
    public static string? Fact(DiagnosisReport report, string key)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var result in report.Results)
        {
            if (result.Facts.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return ReportFormat.PlainText(value);
            }
        }

        return null;
    }

    /// <summary>A numeric fact of the run, when it parses.</summary>
    public static double? Number(DiagnosisReport report, string key) => ReportFormat.ParseDouble(Fact(report, key));

    private static string? Connections(DiagnosisReport d)
    {
        var clients = Fact(d, FactKeys.ClientConnections);
        var max = Fact(d, FactKeys.MaxConnections);
        return clients is null ? null : max is null ? clients : $"{clients} / {max} (max_connections)";
    }

    private static string? Suffix(string? value, string suffix) => value is null ? null : value + suffix;

    private static string? Bytes(string? value) =>
        value is null ? null : ReportFormat.ParseLong(value) is { } n ? ByteSize.Format(n) : value;

    private static string? Seconds(string? value) =>
        value is null ? null
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? Durations.Format(s)
        : value;
}
