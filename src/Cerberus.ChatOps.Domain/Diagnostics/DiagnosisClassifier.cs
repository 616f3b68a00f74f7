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

    /// <summary>With pg_wal above its limit, the disk counts as full when the volume reports at least this (unknown is not full).</summary>
    public const double WalSuspectDiskPercent = 80;

    /// <summary>Saturation of usable connections that counts as exhaustion.</summary>
    public const double ExhaustionPercent = 95;

    /// <summary>A timeline switch in Patroni's /history younger than this is a failover whose aftermath is still open.</summary>
    public static readonly TimeSpan RecentFailover = TimeSpan.FromMinutes(30);

    public static DiagnosisVerdict Classify(IEnumerable<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = DiagnosisSignals.From(results);
        if ((SplitBrain(s) ?? WrongCluster(s) ?? RoleLimited(s)) is { } stop)
        {
            return Clean(stop);
        }

        var verdict = WithUnknownFreeSpace(s, ClassifyBranches(s));
        return Clean(WithAftermath(s, verdict));
    }

    private static DiagnosisVerdict ClassifyBranches(DiagnosisSignals s)
    {
        var branches = new List<DiagnosisVerdict>();
        AddIf(branches, FailedOver(s));
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

            return verdict;
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

        return new DiagnosisVerdict(top.Classification, sentence, recommended);
    }

    /// <summary>
    /// Two members take writes (the 3.0.2 stale primary resuming, or a second read-write server): nothing else is
    /// safe until one is fenced, so no action is proposed and the sentence names who holds the lock.
    /// </summary>
    private static DiagnosisVerdict? SplitBrain(DiagnosisSignals s)
    {
        if (s.SplitBrain is not { } who)
        {
            return null;
        }

        var lockHolder = s.PatroniLeader is { } l ? $"; {l} holds Patroni's leader lock, so fence the other one (stop its PostgreSQL or delete its pod)" : "; fence every member but the one that holds Patroni's leader lock";
        return new(Classification.Inconclusive,
            $"Split brain: more than one server takes writes ({who}){lockHolder}; no failover or switchover until one primary remains, and the writes to the fenced one are lost from the cluster's history.", []);
    }

    /// <summary>The configured database is not Patroni's (another system identifier): the checks describe two different clusters.</summary>
    private static DiagnosisVerdict? WrongCluster(DiagnosisSignals s)
    {
        if (!s.OutsideCluster)
        {
            return null;
        }

        var mine = DiagnosisSignals.Text(s.Connectivity, DiagnosisFactKeys.SystemIdentifier) ?? "?";
        var theirs = DiagnosisSignals.Text(s.Connectivity, DiagnosisFactKeys.ClusterSystemIdentifier) ?? "?";
        return new(Classification.Inconclusive,
            $"Inconclusive: the configured database {s.Target} is not part of the Patroni cluster (system identifier {mine}, the cluster's database_system_identifier {theirs}), so the database checks and the Patroni checks describe different servers; fix Cerberus__Postgres__ConnectionString or Cerberus__Patroni__Urls__N before acting.", []);
    }

    /// <summary>53300 for the bot's own role: its CONNECTION LIMIT, not the server's; the database checks could not connect.</summary>
    private static DiagnosisVerdict? RoleLimited(DiagnosisSignals s)
    {
        if (!s.RoleLimit || s.Saturation is not null)
        {
            return null;
        }

        return new(Classification.Inconclusive,
            $"Inconclusive: {s.Target} refuses the bot's own role with 53300 too many connections for role (its CONNECTION LIMIT), so the database checks could not connect; this is not server-wide exhaustion: end the bot's stale sessions or raise the role's limit, then diagnose again.", []);
    }

    /// <summary>
    /// Patroni has already failed over and the configured target is now a standby: the primary moved. The aftermath
    /// is to verify the new leader and watch or fence the old one, never a switchover against a leader that no longer leads.
    /// </summary>
    private static DiagnosisVerdict? FailedOver(DiagnosisSignals s)
    {
        if (s.PostgresDown || !s.ConfiguredInRecovery || !s.OnPatroniLeader || s.PatroniLeader is not { } leader || !s.PatroniLeaderHealthy)
        {
            return null;
        }

        var configured = s.ConfiguredTarget ?? "(configured)";
        if (s.LastSwitchTimeline is null)
        {
            // No switch in /history: the bot was simply pointed at a standby. Not healthy, but not a failover either.
            return new(Classification.Inconclusive,
                $"Inconclusive: the configured target {configured} is a standby, not the primary, and Patroni's /history shows no failover; the checks ran on Patroni's leader {leader} at {s.Target} instead, so point Cerberus__Postgres__ConnectionString at the primary (the leader's Service, or a multi-host string with Target Session Attributes=primary).", []);
        }

        return new(Classification.PrimaryUnresponsive,
            $"Primary unresponsive, and Patroni has already failed over: the configured target {configured} is now a standby and {leader} at {s.Target} leads{SwitchClause(s)}; {AftermathAdvice(s, leader)}.", []);
    }

    /// <summary>A recent timeline switch in /history: say so, and drop any switchover or failover (the leader already changed).</summary>
    private static DiagnosisVerdict WithAftermath(DiagnosisSignals s, DiagnosisVerdict verdict)
    {
        var recent = s.LastSwitchAgeSeconds is { } age && age <= RecentFailover.TotalSeconds;
        if (!recent || s.PatroniLeader is not { } leader || verdict.Sentence.Contains("has already failed over", StringComparison.Ordinal))
        {
            return verdict;
        }

        if (s.PostgresDown && s.OnPatroniLeader)
        {
            // The new leader itself does not serve: that is the primary-unresponsive branch, not an aftermath.
            return verdict;
        }

        var sentence = verdict.Sentence.Replace("; no runbook action is needed.", string.Empty, StringComparison.Ordinal).TrimEnd('.');
        sentence += $"; Patroni's leader changed recently{SwitchClause(s)}: {AftermathAdvice(s, leader)}.";
        var recommended = verdict.Recommended.Where(k => k is not (RemediationKind.Switchover or RemediationKind.Failover)).ToList();
        return verdict with { Sentence = sentence, Recommended = recommended };
    }

    private static string SwitchClause(DiagnosisSignals s)
    {
        var parts = new List<string>();
        if (s.LastSwitchTimeline is { } tl)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"timeline {tl}"));
        }

        if (s.LastSwitchLeader is { } l)
        {
            parts.Add($"to {l}");
        }

        if (s.LastSwitchAt is { } at)
        {
            parts.Add(s.LastSwitchAgeSeconds is { } age ? $"at {at} ({ByteSize.Duration(age)} ago)" : $"at {at}");
        }

        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }

    private static string AftermathAdvice(DiagnosisSignals s, string leader)
    {
        var old = s.PreviousLeader is { } p && !string.Equals(p, leader, StringComparison.Ordinal) ? p : "the old primary";
        return $"verify that {leader} takes writes and that the app reaches it, and watch or fence {old}: a frozen Patroni 3.0.2 primary that resumes can take the lock back (no switchover: {leader} already leads)";
    }

    private static DiagnosisVerdict? PrimaryUnresponsive(DiagnosisSignals s)
    {
        if (!s.PostgresDown)
        {
            return null;
        }

        var sqlState = DiagnosisSignals.Text(s.Connectivity, DiagnosisFactKeys.SqlState);
        var how = s.ConnectivityOutcome switch
        {
            "timeout" => $"connecting to {s.Target} timed out after {Seconds(s)}{(DiagnosisSignals.Flag(s.Connectivity, DiagnosisFactKeys.TcpAccepted) ? " (TCP accepted, the startup never answered)" : string.Empty)}",
            "hung" => $"{s.Target} accepted the connection but a trivial query timed out (hung: storage freeze, stuck lock, or a stopped postmaster)",
            "starting" => $"{s.Target} is down or starting ({(sqlState is null ? "the connection was reset during startup" : $"SQLSTATE {sqlState}")}; a crash-restart loop looks like this)",
            _ => $"connecting to {s.Target} was refused",
        };
        var candidate = s.Candidate is { } c ? $"{c} (lag {ByteSize.Format(s.CandidateLag ?? 0)})" : null;

        if (s.PatroniAnswered && s.PatroniLeader is { } leader && s.PatroniLeaderHealthy)
        {
            var hung = DiagnosisSignals.Flag(s.Connectivity, DiagnosisFactKeys.TcpAccepted) || s.ConnectivityOutcome == "hung";
            if (hung)
            {
                // Patroni 3.0.2 demotes through CHECKPOINT on a new connection without connect_timeout
                // (postgresql/__init__.py checkpoint), which hangs on a hung postmaster while the HA loop keeps
                // renewing the lock: a switchover cannot finish. Fencing the leader lets the lock expire.
                var then = candidate is null ? "no replica qualifies to take over yet" : $"Patroni then fails over to {candidate}";
                return new(Classification.PrimaryUnresponsive,
                    $"Primary unresponsive: {how} although Patroni reports {leader} as a running leader; a switchover cannot finish while the postmaster hangs (Patroni 3.0.2 demotes through a CHECKPOINT that hangs too), so fence {leader} (delete its pod with a short grace period, or restart its Patroni container) to let the leader lock expire, {then}; scaling the backend down is the safe first step.",
                    [RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp]);
            }

            var next = candidate is not null
                ? $"check the address and network path the bot uses, then switch over to {candidate} if clients fail too"
                : "check the address and network path the bot uses before acting; no replica qualifies for a switchover";
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

        var sentence = "Disk full: " + string.Join(" and ", evidence) + "; ";
        if (s.InactiveSlots > 0 && s.SlotRetained > 0)
        {
            // Only a slot that is provably not a member's is worth dropping (defect 25: the action refuses member slots).
            var foreign = s.ForeignInactiveSlots;
            var retained = ByteSize.Format(s.SlotRetained ?? 0);
            if (foreign.Count > 0)
            {
                sentence += $"inactive replication slot {string.Join(", ", foreign)} retains {retained} of WAL (all inactive slots together), so drop it and checkpoint before cleaning up audit.logs " +
                            "(a permanent slot of Patroni's configuration is removed from it first, or the next leader re-creates it).";
                return new(Classification.DiskFull, sentence, [RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint, RemediationKind.AuditLogCleanup]);
            }

            sentence += s.PatroniMembershipUnknown
                ? $"inactive replication slot {s.InactiveSlotNames ?? "(unnamed)"} retains {retained} of WAL, but Patroni's /cluster did not answer, so whether it is a stopped member's slot is unknown and no slot drop is proposed until Patroni answers; "
                : $"inactive replication slot {s.InactiveSlotNames ?? "(unnamed)"} retains {retained} of WAL but is Patroni's slot for {string.Join(", ", DiagnosisSignals.Names(s.InactiveSlotNames).Select(n => s.MemberOfSlot(n)).OfType<string>())}: bring that member back (or reinitialise it) rather than dropping its slot; ";
        }

        if (s.ArchiverFailing)
        {
            sentence += $"the archiver is failing ({s.ArchiveReady} segment(s) wait as .ready), so fix archive_command and checkpoint before cleaning up audit.logs.";
            return new(Classification.DiskFull, sentence, [RemediationKind.Checkpoint, RemediationKind.AuditLogCleanup]);
        }

        sentence += "the batched clean-up of old audit.logs rows is the runbook's next step.";
        return new(Classification.DiskFull, sentence, [RemediationKind.AuditLogCleanup]);
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
                     "that alone does not show a full disk, so nothing is deleted on it; measure the volume (Cerberus__Kubernetes__ExecDiskProbe=true, or kubelet_volume_stats_available_bytes) and look at the archiver and the slots";
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

        if (s.MissingStandbys is { } missing)
        {
            evidence.Add($"{missing} not connected to the leader (no pg_stat_replication row)");
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
        else if (s.LostSlotNames.Count > 0)
        {
            next = LostSlotAdvice(s);
            recommended = [];
        }
        else if (slots && s.InactiveSlots > 0 && s.PatroniMembershipUnknown)
        {
            next = "Patroni's /cluster did not answer, so whether the inactive slot belongs to a stopped member is unknown: no slot drop is proposed until Patroni answers";
            recommended = [];
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
        else if (s.MissingStandbys is not null && s.UnhealthyReplicas is null)
        {
            next = "its WAL receiver is stopped or cannot connect while Patroni 3.0.2 still shows it running: read the replica's log (pg_hba, replication password, lost slot) before relying on failover";
            recommended = [];
        }
        else
        {
            next = "bring the replica back (Patroni restarts or reinitialises it) before relying on failover";
            recommended = [];
        }

        return new(Classification.ReplicationBroken, "Replication broken: " + string.Join(", ", evidence) + "; " + next + ".", recommended);
    }

    /// <summary>
    /// A lost slot (wal_status lost: max_slot_wal_keep_size invalidated it) can never catch up from WAL again: its
    /// replica needs a reinit (Patroni issue #3641), bringing it back is not enough.
    /// </summary>
    private static string LostSlotAdvice(DiagnosisSignals s)
    {
        var parts = s.LostSlotNames.Select(slot => s.MemberOfSlot(slot) is { } member
            ? $"slot {slot} is lost (wal_status lost): the WAL {member} needs is gone, so reinitialise the replica (patronictl reinit <scope> {member}, or POST /reinitialize on {member}); bringing it back is not enough"
            : $"slot {slot} is lost (wal_status lost): its consumer can no longer catch up from WAL, so reinitialise the replica (patronictl reinit / POST /reinitialize) or re-seed that consumer from a new base backup");
        return string.Join("; ", parts);
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
