using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Diagnostics;

public static partial class DiagnosisClassifier
{
    /// <summary>
    /// Two members take writes (the 3.0.2 stale primary resuming, or a second read-write server): nothing else is
    /// safe until one is fenced, so the only action proposed is the fence (when a lock holder is named) and the sentence names who holds the lock.
    /// </summary>
    private static DiagnosisVerdict? SplitBrain(DiagnosisSignals s)
    {
        if (s.SplitBrain is not { } who)
        {
            return null;
        }

        var lockHolder = s.PatroniLeader is { } l ? $"; {l} holds Patroni's leader lock, so fence the other one (stop its PostgreSQL or delete its pod)" : "; fence every member but the one that holds Patroni's leader lock";

        // With a lock holder named, fencing the other one is the one action offered (it refuses the holder, and refuses
        // without a healthy leader); without one, nothing is safe to offer.
        return new(Classification.Inconclusive,
            $"Split brain: more than one server takes writes ({who}){lockHolder}; no failover or switchover until one primary remains, and the writes to the fenced one are lost from the cluster's history.",
            s.PatroniLeader is null ? [] : [RemediationKind.FenceOldLeader]);
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
            $"Primary unresponsive, and Patroni has already failed over: the configured target {configured} is now a standby and {leader} at {s.Target} leads{SwitchClause(s)}; {AftermathAdvice(s, leader)}.", [RemediationKind.Analyze]);
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
        var recommended = verdict.Recommended.Where(k => k is not (RemediationKind.Switchover or RemediationKind.Failover or RemediationKind.Analyze)).ToList();
        recommended.Add(RemediationKind.Analyze);
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
            parts.Add(s.LastSwitchAgeSeconds is { } age ? $"at {at} ({Durations.Format(age)} ago)" : $"at {at}");
        }

        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }

    private static string AftermathAdvice(DiagnosisSignals s, string leader)
    {
        var old = s.PreviousLeader is { } p && !string.Equals(p, leader, StringComparison.Ordinal) ? p : "the old primary";
        return $"verify that {leader} takes writes and that the app reaches it, and watch or fence {old}: a frozen Patroni 3.0.2 primary that resumes can take the lock back (no switchover: {leader} already leads); "
               + $"then ANALYZE the largest tables on {leader}: a promoted standby's table counters (n_live_tup, n_dead_tup, n_mod_since_analyze) start from zero, so autovacuum and autoanalyze do not see what changed";
    }

    private static DiagnosisVerdict? PrimaryUnresponsive(DiagnosisSignals s) =>
        PrimaryUnresponsiveBranch(s) is { } verdict ? WithDiskCause(s, verdict) : null;

    /// <summary>
    /// A primary that does not serve while its disk is full (the log's No space left on device, or the volume at 90 %):
    /// a server that cannot write WAL PANICs and cannot start again until there is room, so no SQL remedy can run; the
    /// one remedy that needs no SQL, growing the PVC, comes first (DBA review: "WAL disk full → PANIC, SQL impossible").
    /// </summary>
    private static DiagnosisVerdict WithDiskCause(DiagnosisSignals s, DiagnosisVerdict verdict)
    {
        var noSpace = s.Signatures.Contains("no_space");
        if (!noSpace && s.DiskUsedPercent is not >= DiskFullPercent)
        {
            return verdict;
        }

        var why = noSpace
            ? "the PostgreSQL log shows No space left on device"
            : string.Create(CultureInfo.InvariantCulture, $"the data volume is {s.DiskUsedPercent:0.#} % used");
        var sentence = verdict.Sentence.TrimEnd('.')
                       + $"; {why}: a server that cannot write its WAL stops (PANIC) and cannot start again until there is room, so no SQL remedy can run; "
                       + "grow the data volume first (expand-volume, when its StorageClass allows expansion; it needs no SQL).";
        return verdict with { Sentence = sentence, Recommended = [RemediationKind.ExpandVolume, .. verdict.Recommended.Where(k => k != RemediationKind.ExpandVolume)] };
    }

    private static DiagnosisVerdict? PrimaryUnresponsiveBranch(DiagnosisSignals s)
    {
        if (!s.PostgresDown)
        {
            return null;
        }

        var sqlState = DiagnosisSignals.Text(s.Connectivity, DiagnosisFactKeys.SqlState);
        var how = s.ConnectivityOutcome switch
        {
            "timeout" => $"connecting to {s.Target} timed out after {ConnectTimeout(s)}{(DiagnosisSignals.Flag(s.Connectivity, DiagnosisFactKeys.TcpAccepted) ? " (TCP accepted, the startup never answered)" : string.Empty)}",
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
}
