using System.Globalization;
using System.Text;
using Cerberus.ChatOps.Patroni;

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
    public static FailoverPlan Plan(
        PatroniCluster cluster,
        bool leaderHealthy,
        long? leaderLsn,
        IReadOnlyDictionary<string, long?> receivedLsn,
        long maximumLagOnFailover,
        double? walRateBytesPerSecond,
        TimeSpan rpo)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(receivedLsn);
        var leader = cluster.Leader;
        var healthy = leader is not null && leaderHealthy;
        var mode = healthy ? FailoverMode.Switchover : FailoverMode.Failover;
        var timeline = leader?.Timeline ?? cluster.Members.Select(m => m.Timeline ?? 0).DefaultIfEmpty(0).Max();
        var others = cluster.Members.Where(m => !ReferenceEquals(m, leader)).ToList();

        // The leader's last LSN: measured when it is healthy; when it is not, the best the DCS still tells us is
        // each member's received position plus the lag Patroni computed from the leader's last recorded optime.
        // That optime is written every loop_wait, so the result is a LOWER bound of what the leader had.
        long? leaderLast = healthy ? leaderLsn : null;
        if (!healthy)
        {
            foreach (var m in others)
            {
                if (m.LagBytes is { } lag && Received(receivedLsn, m.Name) is { } r)
                {
                    leaderLast = Math.Max(leaderLast ?? 0, r + lag);
                }
            }
        }

        var candidates = new List<FailoverCandidate>();
        foreach (var m in others)
        {
            var received = Received(receivedLsn, m.Name);
            long? lagBytes = leaderLast is { } l && received is { } rc ? Math.Max(0, l - rc) : m.LagBytes;
            string? notOffered = m.NoFailover
                ? "tagged nofailover"
                : !m.IsRunning
                    ? $"not running (state {(string.IsNullOrEmpty(m.State) ? "unknown" : m.State)})"
                    : null;

            var overMaxLag = lagBytes is null || lagBytes > maximumLagOnFailover;

            // A graceful switchover loses nothing when the candidate keeps up; a lagging one may be promoted before
            // it has caught up, so its lag is the honest upper bound. A failover loses what the candidate never received.
            long? lossBytes = mode == FailoverMode.Switchover && !overMaxLag ? 0 : lagBytes;
            double? lossSeconds = lossBytes switch
            {
                0 => 0,
                { } b when walRateBytesPerSecond is > 0 => b / walRateBytesPerSecond.Value,
                _ => null,
            };
            var overRpo = lossSeconds is { } s && s > rpo.TotalSeconds;
            candidates.Add(new FailoverCandidate(m.Name, m.Host, m.Port, m.ApiUrl, m.State, lagBytes, received, notOffered,
                lossBytes, lossSeconds, overMaxLag, overRpo));
        }

        return new FailoverPlan(mode, leader?.Name, healthy, timeline, leaderLast, maximumLagOnFailover, walRateBytesPerSecond,
            cluster.Pause == true, candidates);
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

        if (candidate.LagBytes is null)
        {
            return $"{candidate.Name}'s lag is unknown (Patroni reports none): promoting it may lose an unknown amount of committed WAL, possibly more than maximum_lag_on_failover {PgLsn.Bytes(plan.MaximumLagOnFailover)} and the 15-min RPO.";
        }

        var reasons = new List<string>();
        if (candidate.OverMaximumLag)
        {
            reasons.Add($"> maximum_lag_on_failover {PgLsn.Bytes(plan.MaximumLagOnFailover)}");
        }

        if (candidate.OverRpo)
        {
            reasons.Add("> the 15-min RPO");
        }

        var time = candidate.EstimatedLossSeconds is { } s ? $" (~{PgLsn.Duration(s)})" : " (time unknown: no WAL rate)";
        var loss = candidate.EstimatedLossBytes ?? candidate.LagBytes.Value;
        return plan.Mode == FailoverMode.Failover
            ? $"{candidate.Name} is {PgLsn.Bytes(loss)} behind ({string.Join(", ", reasons)}): promoting it loses at least {PgLsn.Bytes(loss)} of committed WAL{time}."
            : $"{candidate.Name} is {PgLsn.Bytes(loss)} behind ({string.Join(", ", reasons)}): Patroni may refuse the switchover, and if {candidate.Name} is promoted before it catches up up to {PgLsn.Bytes(loss)} of committed WAL is lost{time}.";
    }

    /// <summary>
    /// The risks promoting <paramref name="candidate"/> carries now, as the approval records them: "unknown_lag",
    /// "over_max_lag", "over_rpo" (empty = none; an absent candidate has none of its own: the fingerprint differs).
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

        return flags;
    }

    /// <summary>leader name + timeline + mode + the candidate's state and lag bucket.</summary>
    public static string Fingerprint(FailoverPlan plan, string candidate)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var c = plan.Find(candidate);
        return string.Create(CultureInfo.InvariantCulture,
            $"leader={plan.Leader ?? "none"};healthy={plan.LeaderHealthy};tl={plan.Timeline};candidate={candidate}:{c?.State ?? "absent"}:{c?.LagBucket ?? "unknown"}");
    }

    /// <summary>One line per member for the approval card.</summary>
    public static string DescribeCandidates(FailoverPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sb = new StringBuilder();
        foreach (var c in plan.Candidates)
        {
            sb.Append("• ").Append(c.Name).Append(": ").Append(c.State);
            sb.Append(", lag ").Append(c.LagBytes is { } lag ? $"{lag.ToString(CultureInfo.InvariantCulture)} B ({PgLsn.Bytes(lag)})" : "unknown");
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
                sb.Append(", estimated loss ").Append(c.EstimatedLossBytes switch
                {
                    0 when plan.Mode == FailoverMode.Switchover => "≈ 0 (graceful)",
                    0 => "≥ 0 B (lower bound: nothing known beyond what it received)",
                    { } b => (plan.Mode == FailoverMode.Failover ? "≥ " : "≤ ") + PgLsn.Bytes(b),
                    null => "unknown",
                });
                sb.Append(c.EstimatedLossSeconds is { } s ? $" (~{PgLsn.Duration(s)})" : c.EstimatedLossBytes is 0 ? string.Empty : " (time unknown)");
                if (c.NeedsRiskAcceptance)
                {
                    sb.Append(c.OverRpo ? " ⚠ over the 15-min RPO" : " ⚠ over maximum_lag_on_failover");
                }
            }

            sb.Append('\n');
        }

        return sb.ToString().TrimEnd('\n');
    }

    private static long? Received(IReadOnlyDictionary<string, long?> receivedLsn, string name) =>
        receivedLsn.TryGetValue(name, out var v) ? v : null;
}
