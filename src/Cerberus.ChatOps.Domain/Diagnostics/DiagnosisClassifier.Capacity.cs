using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Diagnostics;

public static partial class DiagnosisClassifier
{
    private static DiagnosisVerdict? DiskFull(DiagnosisSignals s)
    {
        var percent = s.DiskUsedPercent;
        var noSpace = s.Signatures.Contains("no_space");
        var full = percent >= DiskFullPercent;

        // Free space unknown is neither full nor plenty: WAL size alone never makes a disk-full verdict (WithUnknownFreeSpace says it).
        var walSuspect = s.WalOverLimit && percent >= WalSuspectDiskPercent;
        if (!full && !noSpace && !walSuspect)
        {
            return null;
        }

        var evidence = new List<string>();
        if (percent is { } p)
        {
            evidence.Add(string.Create(CultureInfo.InvariantCulture, $"the data volume is {p:0.#} % used{(s.DiskFreeBytes is { } free ? $" ({ByteSize.Format(free)} free)" : string.Empty)}"));
        }

        if (noSpace)
        {
            evidence.Add("the PostgreSQL log shows No space left on device" + (percent is null ? " (free space unknown: the volume was not measured)" : string.Empty));
        }

        if (s.WalOverLimit)
        {
            evidence.Add($"pg_wal holds {ByteSize.Format(s.WalBytes ?? 0)}, {WalLimitClause(s)}");
        }

        var sentence = "Disk full: " + string.Join(" and ", evidence) + ConsumersClause(s) + "; ";
        if (s.InactiveSlots > 0 && s.SlotRetained > 0)
        {
            // Only a slot that is provably not a member's is worth dropping (defect 25: the action refuses member slots).
            var foreign = s.ForeignInactiveSlots;
            var retained = ByteSize.Format(s.SlotRetained ?? 0);
            if (foreign.Count > 0)
            {
                sentence += $"inactive replication slot {string.Join(", ", foreign)} retains {retained} of WAL (all inactive slots together), so drop it and checkpoint before cleaning up audit.logs " +
                            "(a permanent slot of Patroni's configuration is removed from it first, or the next leader re-creates it)" + ExpandClause + ".";
                return new(Classification.DiskFull, sentence, [RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint, RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup]);
            }

            sentence += s.PatroniMembershipUnknown
                ? $"inactive replication slot {s.InactiveSlotNames ?? "(unnamed)"} retains {retained} of WAL, but Patroni's /cluster did not answer, so whether it is a stopped member's slot is unknown and no slot drop is proposed until Patroni answers; "
                : $"inactive replication slot {s.InactiveSlotNames ?? "(unnamed)"} retains {retained} of WAL but is Patroni's slot for {string.Join(", ", DiagnosisSignals.Names(s.InactiveSlotNames).Select(n => s.MemberOfSlot(n)).OfType<string>())}: bring that member back (or reinitialise it) rather than dropping its slot; ";
        }

        if (s.ArchiverFailing)
        {
            sentence += $"the archiver is failing ({s.ArchiveReady} segment(s) wait as .ready), so fix archive_command and checkpoint before cleaning up audit.logs" + ExpandClause + ".";
            return new(Classification.DiskFull, sentence, [RemediationKind.Checkpoint, RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup]);
        }

        sentence += "the batched clean-up of old audit.logs rows is the runbook's next step" + ExpandClause + ".";
        return new(Classification.DiskFull, sentence, [RemediationKind.ExpandVolume, RemediationKind.AuditLogCleanup]);
    }

    /// <summary>Said with every disk-full verdict: growing the PVC deletes nothing and needs no SQL.</summary>
    private const string ExpandClause =
        "; growing the data volume (expand-volume, when its StorageClass allows expansion) buys room without deleting anything and needs no SQL";

    /// <summary>
    /// The space consumers besides the tables and pg_wal that the disk probe measured (temp files, server logs, the
    /// .ready backlog), from 1 MiB on, and those it could not measure, named as unknown (never as none).
    /// </summary>
    private static string ConsumersClause(DiagnosisSignals s)
    {
        const long Small = 1L << 20;
        var parts = new List<string>();
        if (s.TempFilesBytes is >= Small and { } temp)
        {
            parts.Add($"temp files at least {ByteSize.Format(temp)} (queries spilling to disk: cancelling them frees it)");
        }

        if (s.ServerLogBytes is >= Small and { } logs)
        {
            parts.Add($"server logs {ByteSize.Format(logs)}");
        }

        if (s.ArchiveReadyBytes is >= Small and { } ready)
        {
            parts.Add($"{ByteSize.Format(ready)} of pg_wal waiting for the archiver (.ready)");
        }

        parts.AddRange(s.UnmeasuredConsumers.Select(c => $"{c} unknown"));
        return parts.Count == 0 ? string.Empty : ", besides the tables: " + string.Join(", ", parts);
    }

    /// <summary>
    /// pg_wal above its limit while free space is unknown (no exec df): said as such, never read as a full disk
    /// (dba-review defect 10), and the way to measure is named.
    /// </summary>
    private static DiagnosisVerdict WithUnknownFreeSpace(DiagnosisSignals s, DiagnosisVerdict verdict)
    {
        if (!s.WalOverLimit || s.DiskUsedPercent is not null || verdict.Classification == Classification.DiskFull)
        {
            return verdict;
        }

        var clause = $"free space unknown (the data volume was not measured) while pg_wal holds {ByteSize.Format(s.WalBytes ?? 0)}, {WalLimitClause(s)}: " +
                     "that alone does not show a full disk, so nothing is deleted on it; measure the volume (Cerberus__Kubernetes__PrometheusUrl for kubelet_volume_stats_available_bytes, Cerberus__Kubernetes__KubeletVolumeStats=true, or Cerberus__Kubernetes__ExecDiskProbe=true) and look at the archiver and the slots";
        var sentence = verdict.Sentence.Replace("; no runbook action is needed.", string.Empty, StringComparison.Ordinal).TrimEnd('.');
        return verdict with { Sentence = $"{sentence}; {clause}." };
    }

    private static string WalLimitClause(DiagnosisSignals s) =>
        s.WalLimitBytes is { } limit
            ? $"more than the {ByteSize.Format(limit)} that 2 × max(max_wal_size, wal_keep_size) plus the WAL slots retain explains"
            : "more than twice max_wal_size";

    private static DiagnosisVerdict? ConnectionExhaustion(DiagnosisSignals s)
    {
        var refused53300 = s.ConnectivityOutcome == "too_many_clients";
        var saturated = s.Saturation >= ExhaustionPercent;
        var logged = s.Signatures.Contains("too_many_clients");
        if (!refused53300 && !saturated && !logged)
        {
            return null;
        }

        var evidence = new List<string>();
        if (refused53300)
        {
            evidence.Add($"{s.Target} refuses new connections with 53300 too many clients");
        }

        if (s.Saturation is { } pct)
        {
            var clients = DiagnosisSignals.Number(s.Connections, FactKeys.ClientConnections);
            var usable = DiagnosisSignals.Number(s.Connections, DiagnosisFactKeys.UsableConnections);
            evidence.Add(string.Create(CultureInfo.InvariantCulture, $"{clients:0} of {usable:0} usable connections are in use ({pct:0} %)"));
        }
        else if (logged && !refused53300)
        {
            evidence.Add("the PostgreSQL log shows too many clients already");
        }

        var idle = DiagnosisSignals.Number(s.Connections, FactKeys.IdleInTransaction) ?? 0;
        if (idle > 0)
        {
            var oldest = DiagnosisSignals.Number(s.Connections, DiagnosisFactKeys.OldestIdleInTransactionSeconds);
            evidence.Add(string.Create(CultureInfo.InvariantCulture, $"{idle:0} sessions are idle in transaction{(oldest is { } o ? $", the oldest for {Durations.Format(o)}" : string.Empty)}"));
        }

        if (DiagnosisSignals.Text(s.Connections, DiagnosisFactKeys.TopOffender) is { Length: > 0 } top)
        {
            evidence.Add($"the top offender is {top}");
        }

        return new(Classification.ConnectionExhaustion,
            "Connection exhaustion: " + string.Join(", ", evidence) + "; first terminate the sessions idle in transaction and the lock-tree roots, then restart the backend rolling "
            + "(each pod's pool starts empty while the others serve); scaling the backend down releases its pool too, but is an outage: the last resort.",
            [RemediationKind.TerminateSessions, RemediationKind.RestartBackend, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp]);
    }
}
