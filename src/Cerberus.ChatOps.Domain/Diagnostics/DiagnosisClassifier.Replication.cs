using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Diagnostics;

public static partial class DiagnosisClassifier
{
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

            // A member's lost slot is what the replica rebuild is for; another consumer's is re-seeded by its owner.
            recommended = s.LostSlotNames.Any(slot => s.MemberOfSlot(slot) is not null) ? [RemediationKind.ReinitializeReplica] : [];
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
            ? $"slot {slot} is lost (wal_status lost): the WAL {member} needs is gone, so reinitialise the replica (patronictl reinit <scope> {member}, or POST /reinitialize on {member}: `/dbincident propose reinit {member}`); bringing it back is not enough"
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
}
