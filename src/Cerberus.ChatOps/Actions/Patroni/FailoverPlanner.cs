using System.Globalization;
using System.Text;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// The pure part of the failover action: candidate eligibility, the data-loss estimate, the risk sentence and the
/// fingerprint, from what /cluster, /config and each member's /patroni said.
/// </summary>
internal static class FailoverPlanner
{
    /// <summary>Builds the plan.</summary>
    /// <param name="cluster">GET /cluster.</param>
    /// <param name="leaderHealthy">The leader's own /patroni answered: running, primary.</param>
    /// <param name="leaderLsn">The healthy leader's current WAL position (/patroni xlog.location).</param>
    /// <param name="receivedLsn">Each member's received (else replayed) WAL position from its /patroni; missing = no answer.</param>
    /// <param name="maximumLagOnFailover">From /config (default 1 MiB).</param>
    /// <param name="walRateBytesPerSecond">Measured WAL rate, or null.</param>
    /// <param name="rpo">The recovery point objective (15 min).</param>
    /// <param name="dcs">The DCS optime measured through the replicas (no healthy leader), or null.</param>
    /// <param name="ttlSeconds">Patroni's ttl from /config (default 30 s).</param>
    /// <param name="synchronousMode">Patroni's synchronous_mode from /config.</param>
    public static FailoverPlan Plan(
        PatroniCluster cluster,
        bool leaderHealthy,
        long? leaderLsn,
        IReadOnlyDictionary<string, long?> receivedLsn,
        long maximumLagOnFailover,
        double? walRateBytesPerSecond,
        TimeSpan rpo,
        DcsOptime? dcs = null,
        int ttlSeconds = 30,
        bool synchronousMode = false)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(receivedLsn);
        var leader = cluster.Leader;
        var healthy = leader is not null && leaderHealthy;
        var mode = healthy ? FailoverMode.Switchover : FailoverMode.Failover;
        var timeline = leader?.Timeline ?? cluster.Members.Select(m => m.Timeline ?? 0).DefaultIfEmpty(0).Max();
        var others = cluster.Members.Where(m => !ReferenceEquals(m, leader)).ToList();
        dcs = healthy ? DcsOptime.None : dcs ?? DcsOptime.None;

        // The leader's last LSN: measured live when it is healthy. When it is not, the best the DCS tells is the optime
        // the leader last wrote there (once per HA loop), measured through the replicas' /replica?lag=N checks: a
        // LOWER bound of what the leader had. Never a live received LSN plus /cluster's lag: that lag was computed
        // from the member's own DCS position, older than its live one, and the sum overstates the leader.
        long? leaderLast = healthy ? leaderLsn : dcs.AtLeast;

        var candidates = new List<FailoverCandidate>();
        foreach (var m in others)
        {
            candidates.Add(Candidate(m, mode, healthy, timeline, leader is null, leaderLsn, Received(receivedLsn, m.Name),
                maximumLagOnFailover, walRateBytesPerSecond, rpo, dcs, ttlSeconds, synchronousMode));
        }

        return new FailoverPlan(mode, leader?.Name, healthy, timeline, leaderLast, maximumLagOnFailover, walRateBytesPerSecond,
            cluster.Pause == true, candidates, ttlSeconds, synchronousMode, dcs);
    }

    private static FailoverCandidate Candidate(
        PatroniMember m,
        FailoverMode mode,
        bool healthy,
        int timeline,
        bool noLeader,
        long? leaderLsn,
        long? received,
        long maximumLagOnFailover,
        double? walRate,
        TimeSpan rpo,
        DcsOptime dcs,
        int ttlSeconds,
        bool synchronousMode)
    {
        // A member on another timeline forked from the leader's history: its LSNs do not compare with the leader's
        // (its "lag" can read 0), and promoting it discards what the current timeline wrote since the fork. Patroni
        // 3.0.2 does not check timelines for a named candidate (check_timeline is off by default, ha.py).
        var reference = noLeader ? "the cluster's highest" : "the leader's";
        string? timelineRisk = timeline <= 0 ? null
            : m.Timeline is null ? $"its timeline is unknown (Patroni reports none; {reference} is {timeline})"
            : m.Timeline != timeline ? $"it is on timeline {m.Timeline}, {reference} is {timeline}"
            : null;
        var otherTimeline = m.Timeline is not null && timelineRisk is not null;

        string? notOffered = m.NoFailover
            ? "tagged nofailover"
            : !m.IsRunning
                ? $"not running (state {(string.IsNullOrEmpty(m.State) ? "unknown" : m.State)})"
                : synchronousMode && mode == FailoverMode.Switchover && !m.IsSync
                    ? "not the synchronous standby (synchronous_mode is on: Patroni refuses a switchover to any other member)"
                    : null;

        long? lagBytes;
        bool measured;
        if (otherTimeline)
        {
            lagBytes = null;
            measured = false;
        }
        else if (healthy)
        {
            measured = leaderLsn is not null && received is not null;
            lagBytes = measured ? Math.Max(0, leaderLsn!.Value - received!.Value) : m.LagBytes;
        }
        else
        {
            var lower = dcs.LossAtLeast(m.Name, received);
            measured = lower is not null;
            lagBytes = lower ?? m.LagBytes;
        }

        var overMaxLag = lagBytes is null || lagBytes > maximumLagOnFailover;

        // A graceful switchover loses nothing when the candidate keeps up; a lagging one may be promoted before it has
        // caught up, so its lag is the honest upper bound. A failover loses at least what the DCS optime shows the
        // candidate never received (unknown when it could not be measured), and at most what Patroni last saw it
        // lag plus what the leader can have written in one ttl after its last optime.
        long? lossBytes;
        long? upperBytes;
        if (otherTimeline)
        {
            lossBytes = null;
            upperBytes = null;
        }
        else if (mode == FailoverMode.Switchover)
        {
            lossBytes = overMaxLag ? lagBytes : 0;
            upperBytes = lossBytes;
        }
        else
        {
            lossBytes = measured ? lagBytes : null;
            long? gap = dcs.CaughtUp.Contains(m.Name) ? 0 : m.LagBytes;
            upperBytes = gap is { } g && walRate is > 0 ? Math.Max(g, lossBytes ?? 0) + (long)(ttlSeconds * walRate.Value) : null;
        }

        double? lossSeconds = lossBytes switch
        {
            0 => 0,
            { } b when walRate is > 0 => b / walRate.Value,
            _ => null,
        };
        var overRpo = lossSeconds is { } s && s > rpo.TotalSeconds;
        return new FailoverCandidate(m.Name, m.ApiUrl, m.State, lagBytes, received, notOffered,
            lossBytes, lossSeconds, overMaxLag, overRpo, m.Timeline, m.IsSync, timelineRisk, upperBytes, measured);
    }

    /// <summary>The sentence the approver must accept for a risky candidate, or null when it needs none.</summary>
    public static string? RiskWarning(FailoverPlan plan, FailoverCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(candidate);
        if (!candidate.NeedsRiskAcceptance)
        {
            return null;
        }

        if (candidate.TimelineRisk is { } timelineRisk)
        {
            return $"{candidate.Name} is not on the current timeline: {timelineRisk}. Promoting it discards everything written on timeline {plan.Timeline} since the fork " +
                   "(LSNs of different timelines do not compare, so its lag and loss are unknown), and Patroni 3.0.2 does not check timelines for a named candidate.";
        }

        if (candidate.LagBytes is null)
        {
            return $"{candidate.Name}'s lag is unknown (Patroni reports none): promoting it may lose an unknown amount of committed WAL, possibly more than maximum_lag_on_failover {ByteSize.Format(plan.MaximumLagOnFailover)} and the 15-min RPO.";
        }

        var reasons = new List<string>();
        if (candidate.OverMaximumLag)
        {
            reasons.Add($"> maximum_lag_on_failover {ByteSize.Format(plan.MaximumLagOnFailover)}");
        }

        if (candidate.OverRpo)
        {
            reasons.Add("> the 15-min RPO");
        }

        var time = candidate.EstimatedLossSeconds is { } s ? $" (~{Durations.Format(s)})" : " (time unknown: no WAL rate)";
        var lag = candidate.LagBytes.Value;
        if (plan.Mode == FailoverMode.Switchover)
        {
            var loss = candidate.EstimatedLossBytes ?? lag;
            return $"{candidate.Name} is {ByteSize.Format(loss)} behind ({string.Join(", ", reasons)}): Patroni may refuse the switchover, and if {candidate.Name} is promoted before it catches up up to {ByteSize.Format(loss)} of committed WAL is lost{time}.";
        }

        var upper = candidate.LossUpperBytes is { } u ? $", at most {ByteSize.Format(u)} (its lag plus ttl {plan.TtlSeconds} s of writes after the leader's last optime)" : string.Empty;
        return candidate.EstimatedLossBytes is { } lower
            ? $"{candidate.Name} is {ByteSize.Format(lower)} behind the leader's last optime in the DCS ({string.Join(", ", reasons)}): promoting it loses at least {ByteSize.Format(lower)} of committed WAL{time}{upper}."
            : $"{candidate.Name} was {ByteSize.Format(lag)} behind when Patroni last recorded it ({string.Join(", ", reasons)}); the leader's last optime could not be measured, so the loss is unknown{upper}.";
    }

    /// <summary>
    /// The risks promoting <paramref name="candidate"/> carries now, as the approval records them: "unknown_lag",
    /// "over_max_lag", "over_rpo", "off_timeline" (empty = none; an absent candidate has none of its own: the fingerprint differs).
    /// </summary>
    public static IReadOnlySet<string> RiskFlags(FailoverCandidate? candidate)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (candidate is null)
        {
            return flags;
        }

        if (candidate.LagBytes is null)
        {
            flags.Add("unknown_lag");
        }
        else if (candidate.OverMaximumLag)
        {
            flags.Add("over_max_lag");
        }

        if (candidate.OverRpo)
        {
            flags.Add("over_rpo");
        }

        if (candidate.TimelineRisk is not null)
        {
            flags.Add("off_timeline");
        }

        return flags;
    }

    /// <summary>leader name + timeline + mode + the candidate's state, lag bucket, timeline and sync role.</summary>
    public static string Fingerprint(FailoverPlan plan, string candidate)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var c = plan.Find(candidate);
        return string.Create(CultureInfo.InvariantCulture,
            $"leader={plan.Leader ?? "none"};healthy={plan.LeaderHealthy};tl={plan.Timeline};candidate={candidate}:{c?.State ?? "absent"}:{c?.LagBucket ?? "unknown"};candidate_tl={c?.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown"};sync={c?.Sync == true}");
    }

    /// <summary>One line per member for the approval card.</summary>
    public static string DescribeCandidates(FailoverPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sb = new StringBuilder();
        foreach (var c in plan.Candidates)
        {
            sb.Append("• ").Append(c.Name).Append(": ").Append(c.State);
            sb.Append(", timeline ").Append(c.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
            if (c.Sync)
            {
                sb.Append(", synchronous standby");
            }

            sb.Append(", lag ").Append(c.LagBytes is { } lag ? $"{lag.ToString(CultureInfo.InvariantCulture)} B ({ByteSize.Format(lag)})" : "unknown");
            if (c.ReceivedLsn is { } r)
            {
                sb.Append(", received ").Append(PgLsn.Format(r));
            }

            if (!c.Offered)
            {
                sb.Append(" — not offered: ").Append(c.NotOfferedReason);
            }
            else
            {
                sb.Append(", estimated loss ").Append(Loss(plan, c));
                if (c.NeedsRiskAcceptance)
                {
                    sb.Append(c.TimelineRisk is not null ? " ⚠ another timeline"
                        : c.OverRpo ? " ⚠ over the 15-min RPO"
                        : " ⚠ over maximum_lag_on_failover");
                }
            }

            sb.Append('\n');
        }

        return sb.ToString().TrimEnd('\n');
    }

    private static string Loss(FailoverPlan plan, FailoverCandidate c)
    {
        var time = c.EstimatedLossSeconds is { } s ? $" (~{Durations.Format(s)})" : c.EstimatedLossBytes is null or 0 ? string.Empty : " (time unknown)";
        if (plan.Mode == FailoverMode.Switchover)
        {
            return c.EstimatedLossBytes switch
            {
                0 => "≈ 0 (graceful)",
                { } b => "≤ " + ByteSize.Format(b) + time,
                null => "unknown",
            };
        }

        var upper = c.LossUpperBytes is { } u ? $", ≤ {ByteSize.Format(u)}" : ", upper bound unknown (no WAL rate)";
        return c.EstimatedLossBytes switch
        {
            _ when c.TimelineRisk is not null && c.LagBytes is null => "unknown (another timeline)",
            { } b => $"≥ {ByteSize.Format(b)} ({(c.EstimatedLossSeconds is { } ls ? $"~{Durations.Format(ls)}" : "time unknown")}; measured against the DCS optime){upper}",
            null => $"≥ 0 B, unverified (the leader's last optime could not be measured){upper}",
        };
    }

    private static long? Received(IReadOnlyDictionary<string, long?> receivedLsn, string name) =>
        receivedLsn.TryGetValue(name, out var v) ? v : null;
}
