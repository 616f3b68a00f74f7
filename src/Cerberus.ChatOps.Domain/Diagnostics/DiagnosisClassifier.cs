using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>
/// Sorts probe results into the runbook's branches, as a DBA reads them: primary unresponsive first (the RTO runs),
/// then disk full, connection exhaustion, replication broken; healthy when nothing fires; inconclusive when too
/// little is known or a critical finding fits no branch. A pure function: same results, same verdict.
/// </summary>
public static class DiagnosisClassifier
{
    /// <summary>Used space of the data volume at which the disk counts as full (runbook: &gt; 90 % crit).</summary>
    public const double DiskFullPercent = 90;

    /// <summary>With WAL above twice max_wal_size, the disk counts as full unless the volume reports less than this.</summary>
    public const double WalSuspectDiskPercent = 80;

    /// <summary>Saturation of usable connections that counts as exhaustion.</summary>
    public const double ExhaustionPercent = 95;

    public static DiagnosisVerdict Classify(IEnumerable<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = DiagnosisSignals.From(results);
        var branches = new List<DiagnosisVerdict>();
        AddIf(branches, PrimaryUnresponsive(s));
        AddIf(branches, DiskFull(s));
        AddIf(branches, ConnectionExhaustion(s));
        AddIf(branches, ReplicationBroken(s));

        if (branches.Count == 0)
        {
            var verdict = HealthyOrInconclusive(s);
            if (s.AppTrouble is { } trouble && verdict.Classification == Classification.Healthy)
            {
                verdict = verdict with
                {
                    Sentence = verdict.Sentence.Replace("; no runbook action is needed.", string.Empty, StringComparison.Ordinal)
                        + $"; but the app's health URL {trouble}, so the fault is likely outside the database.",
                };
            }

            return Clean(verdict);
        }

        var top = branches[0];
        var recommended = new List<RemediationKind>(top.Recommended);
        foreach (var other in branches.Skip(1))
        {
            foreach (var kind in other.Recommended.Where(k => !recommended.Contains(k) && !Conflicts(recommended, k)))
            {
                recommended.Add(kind);
            }
        }

        var sentence = top.Sentence;
        if (branches.Count > 1)
        {
            sentence = sentence.TrimEnd('.') + "; also " + string.Join("; ", branches.Skip(1).Select(b => Lower(Head(b.Sentence)))) + ".";
        }

        if (s.AppTrouble is { } appTrouble)
        {
            sentence = sentence.TrimEnd('.') + $"; the app's health URL {appTrouble}.";
        }

        return Clean(new DiagnosisVerdict(top.Classification, sentence, recommended));
    }

    private static DiagnosisVerdict? PrimaryUnresponsive(DiagnosisSignals s)
    {
        if (!s.PostgresDown)
        {
            return null;
        }

        var how = s.ConnectivityOutcome == "timeout"
            ? $"connecting to {s.Target} timed out after {Seconds(s)}{(DiagnosisSignals.Flag(s.Connectivity, DiagnosisFactKeys.TcpAccepted) ? " (TCP accepted, the startup never answered)" : string.Empty)}"
            : $"connecting to {s.Target} was refused";
        var candidate = s.Candidate is { } c ? $"{c} (lag {ByteSize.Format(s.CandidateLag ?? 0)})" : null;

        if (s.PatroniAnswered && s.PatroniLeader is { } leader && s.PatroniLeaderHealthy)
        {
            var hung = DiagnosisSignals.Flag(s.Connectivity, DiagnosisFactKeys.TcpAccepted);
            var next = (hung, candidate) switch
            {
                (true, not null) => $"PostgreSQL hangs while Patroni still holds the leader lock, so a switchover to {candidate} is the runbook's next step",
                (true, null) => "PostgreSQL hangs while Patroni still holds the leader lock and no replica qualifies for a switchover",
                (false, not null) => $"check the address and network path the bot uses, then switch over to {candidate} if clients fail too",
                (false, null) => "check the address and network path the bot uses before acting; no replica qualifies for a switchover",
            };
            return new(Classification.PrimaryUnresponsive,
                $"Primary unresponsive: {how} although Patroni reports {leader} as a running leader; {next}.",
                candidate is null
                    ? [RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp]
                    : [RemediationKind.Switchover, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp]);
        }

        string patroni;
        if (s.Patroni is null)
        {
            patroni = "Patroni is not configured";
        }
        else if (!s.PatroniAnswered)
        {
            patroni = "no Patroni member answered";
        }
        else if (s.PatroniLeader is null)
        {
            patroni = "Patroni reports no leader";
        }
        else
        {
            var problem = DiagnosisSignals.Text(s.Patroni, DiagnosisFactKeys.PatroniLeaderProblem);
            patroni = $"Patroni leader {s.PatroniLeader} {(string.IsNullOrEmpty(problem) ? "is not healthy" : problem)}";
        }

        if (candidate is not null)
        {
            return new(Classification.PrimaryUnresponsive,
                $"Primary unresponsive: {how} and {patroni}; failover to {candidate} is the runbook's next step.",
                [RemediationKind.Failover, RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp]);
        }

        var why = s.PatroniAnswered
            ? (s.LaggingReplicas ?? s.UnhealthyReplicas) is { } r ? $"no replica qualifies for failover ({r})" : "no replica qualifies for failover"
            : "confirm the cluster's state before failing over";
        return new(Classification.PrimaryUnresponsive,
            $"Primary unresponsive: {how} and {patroni}; {why}, and scaling the backend down is the safe first step.",
            [RemediationKind.ScaleBackendDown, RemediationKind.Failover, RemediationKind.ScaleBackendUp]);
    }

    private static DiagnosisVerdict? DiskFull(DiagnosisSignals s)
    {
        var percent = s.DiskUsedPercent;
        var noSpace = s.Signatures.Contains("no_space");
        var full = percent >= DiskFullPercent;
        var walSuspect = s.WalOverLimit && (percent is null || percent >= WalSuspectDiskPercent);
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
            evidence.Add("the PostgreSQL log shows No space left on device");
        }

        if (s.WalOverLimit)
        {
            evidence.Add($"pg_wal holds {ByteSize.Format(s.WalBytes ?? 0)}, more than twice max_wal_size");
        }

        var sentence = "Disk full: " + string.Join(" and ", evidence) + "; ";
        if (s.InactiveSlots > 0 && s.SlotRetained > 0)
        {
            sentence += $"inactive replication slot {s.InactiveSlotNames ?? "(unnamed)"} retains {ByteSize.Format(s.SlotRetained ?? 0)} of WAL, so drop it and checkpoint before cleaning up audit.logs.";
            return new(Classification.DiskFull, sentence, [RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint, RemediationKind.AuditLogCleanup]);
        }

        if (s.ArchiverFailing)
        {
            sentence += $"the archiver is failing ({s.ArchiveReady} segment(s) wait as .ready), so fix archive_command and checkpoint before cleaning up audit.logs.";
            return new(Classification.DiskFull, sentence, [RemediationKind.Checkpoint, RemediationKind.AuditLogCleanup]);
        }

        sentence += "the batched clean-up of old audit.logs rows is the runbook's next step.";
        return new(Classification.DiskFull, sentence, [RemediationKind.AuditLogCleanup]);
    }

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
            evidence.Add(string.Create(CultureInfo.InvariantCulture, $"{idle:0} sessions are idle in transaction{(oldest is { } o ? $", the oldest for {ByteSize.Duration(o)}" : string.Empty)}"));
        }

        if (DiagnosisSignals.Text(s.Connections, DiagnosisFactKeys.TopOffender) is { Length: > 0 } top)
        {
            evidence.Add($"the top offender is {top}");
        }

        return new(Classification.ConnectionExhaustion,
            "Connection exhaustion: " + string.Join(", ", evidence) + "; scaling the backend down releases its pool.",
            [RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp]);
    }

    private static DiagnosisVerdict? ReplicationBroken(DiagnosisSignals s)
    {
        var evidence = new List<string>();
        if (s.UnhealthyReplicas is { } unhealthy)
        {
            evidence.Add($"replica {unhealthy}");
        }

        if (s.LaggingReplicas is { } lagging)
        {
            evidence.Add($"no failover candidate by lag: {lagging}");
        }

        if (s.ReplicasNotStreaming > 0)
        {
            evidence.Add($"{s.ReplicasNotStreaming} standby connection(s) not streaming");
        }

        if (s.WalReceiver is { } receiver && receiver != "streaming")
        {
            evidence.Add($"this standby's WAL receiver is {receiver}");
        }

        var slots = s.InactiveSlots > 0 || s.LostSlots > 0;
        if (s.InactiveSlots > 0)
        {
            evidence.Add($"inactive slot {s.InactiveSlotNames ?? "(unnamed)"} retains {ByteSize.Format(s.SlotRetained ?? 0)} of WAL");
        }

        if (s.LostSlots > 0)
        {
            evidence.Add($"{s.LostSlots} slot(s) lost or unreserved");
        }

        if (s.ArchiverFailing)
        {
            evidence.Add($"the archiver is failing ({s.ArchiveReady} segment(s) wait as .ready)");
        }

        if (evidence.Count == 0)
        {
            return null;
        }

        string next;
        IReadOnlyList<RemediationKind> recommended;
        var foreign = s.ForeignInactiveSlots;
        if (foreign.Count > 0 && s.SlotRetained > 0)
        {
            next = $"dropping {string.Join(", ", foreign)} and a checkpoint let the server recycle that WAL";
            recommended = [RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint];
        }
        else if (slots && s.InactiveSlots > 0)
        {
            next = "the inactive slot belongs to a Patroni member, so bring that member back rather than dropping its slot";
            recommended = [];
        }
        else if (s.ArchiverFailing)
        {
            next = "fix archive_command (destination, permissions, space) before WAL fills the disk";
            recommended = [];
        }
        else
        {
            next = "bring the replica back (Patroni restarts or reinitialises it) before relying on failover";
            recommended = [];
        }

        return new(Classification.ReplicationBroken, "Replication broken: " + string.Join(", ", evidence) + "; " + next + ".", recommended);
    }

    private static DiagnosisVerdict HealthyOrInconclusive(DiagnosisSignals s)
    {
        var considered = s.Considered;
        if (considered.Count == 0)
        {
            return new(Classification.Inconclusive, "Inconclusive: no check is configured (set Cerberus__Postgres__ConnectionString and Cerberus__Patroni__Urls__0).", []);
        }

        if (s.ConnectivityOutcome == "auth")
        {
            var state = DiagnosisSignals.Text(s.Connectivity, DiagnosisFactKeys.SqlState) ?? "28P01";
            return new(Classification.Inconclusive,
                $"Inconclusive: {s.Target} answers but rejects the bot's credentials ({state}), so the database checks cannot look inside; fix Cerberus__Postgres__ConnectionString or the role's pg_hba entry.", []);
        }

        var unknown = considered.Where(r => r.Status == ProbeStatus.Unknown).ToList();
        var crit = considered.Where(r => r.Status == ProbeStatus.Crit).ToList();
        var databaseSeen = s.ConnectivityOutcome == "ok"
            || new[] { s.Connections, s.Replication, s.Disk }.Any(r => r is not null && r.Status != ProbeStatus.Unknown);
        var databaseBlind = !databaseSeen && !s.PatroniAnswered;
        if (crit.Count > 0 || unknown.Count * 2 >= considered.Count || databaseBlind)
        {
            var named = crit.Concat(unknown).Take(3).Select(r => $"{r.Probe}: {Head(r.Summary)}").ToList();
            var lead = crit.Count > 0 ? "a critical finding fits no runbook branch"
                : unknown.Count * 2 >= considered.Count ? $"{unknown.Count} of {considered.Count} checks could not tell"
                : "neither the database nor Patroni could be asked";
            var because = named.Count > 0 ? $" ({string.Join("; ", named)})" : string.Empty;
            return new(Classification.Inconclusive, $"Inconclusive: {lead}{because}; a person should read the details before acting.", []);
        }

        var warnings = considered.Where(r => r.Status == ProbeStatus.Warn).ToList();
        var healthy = $"Healthy: {considered.Count - unknown.Count} of {considered.Count} checks passed";
        var context = new List<string>();
        if (s.ConnectivityOutcome == "ok")
        {
            context.Add($"{s.Target} answers");
        }

        if (s.Saturation is { } used)
        {
            context.Add(string.Create(CultureInfo.InvariantCulture, $"{used:0} % of connections used"));
        }

        if (s.PatroniLeader is { } leader)
        {
            context.Add(s.Candidate is { } c ? $"Patroni leader {leader}, failover candidate {c} (lag {ByteSize.Format(s.CandidateLag ?? 0)})" : $"Patroni leader {leader}");
        }

        if (context.Count > 0)
        {
            healthy += $" ({string.Join(", ", context)})";
        }

        if (warnings.Count > 0)
        {
            healthy += $" with {warnings.Count} warning(s) ({string.Join("; ", warnings.Take(3).Select(r => $"{r.Probe}: {Head(r.Summary)}"))})";
        }

        return new(Classification.Healthy, healthy + "; no runbook action is needed.", []);
    }

    private static void AddIf(List<DiagnosisVerdict> branches, DiagnosisVerdict? verdict)
    {
        if (verdict is not null)
        {
            branches.Add(verdict);
        }
    }

    /// <summary>A switchover and a failover never go together: the top branch's choice stands.</summary>
    private static bool Conflicts(List<RemediationKind> chosen, RemediationKind kind) =>
        (kind == RemediationKind.Failover && chosen.Contains(RemediationKind.Switchover))
        || (kind == RemediationKind.Switchover && chosen.Contains(RemediationKind.Failover));

    private static string Seconds(DiagnosisSignals s) =>
        DiagnosisSignals.Number(s.Connectivity, DiagnosisFactKeys.ConnectTimeoutSeconds) is { } t
            ? string.Create(CultureInfo.InvariantCulture, $"{t:0.#} s")
            : "its timeout";

    /// <summary>The part of a sentence before its first ';' (the finding, without the advice), without the final period.</summary>
    private static string Head(string sentence)
    {
        var cut = sentence.IndexOf(';', StringComparison.Ordinal);
        return (cut < 0 ? sentence : sentence[..cut]).TrimEnd('.');
    }

    private static string Lower(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];

    private static DiagnosisVerdict Clean(DiagnosisVerdict verdict) =>
        verdict with { Sentence = SecretRedactor.Redact(verdict.Sentence) };
}
