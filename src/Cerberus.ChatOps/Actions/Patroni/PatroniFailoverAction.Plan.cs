using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

internal sealed partial class PatroniFailoverAction
{
    /// <summary>/cluster from every configured member, believed as the diagnostics believe it (<see cref="PatroniCluster.Believed"/>).</summary>
    private async Task<(PatroniCluster? Cluster, string? Error)> ReadClusterAsync(CancellationToken cancellationToken)
    {
        var answers = await patroni.GetClusterFromAllAsync(cancellationToken);
        var ok = answers.Where(a => a.Value is not null).ToList();
        if (ok.Count == 0)
        {
            return (null, "no Patroni member answered /cluster (" +
                          string.Join("; ", answers.Select(a => $"{a.Member}: {SecretRedactor.Redact(a.Error ?? a.StatusCode?.ToString(CultureInfo.InvariantCulture))}")) + ")");
        }

        return (PatroniCluster.Believed(ok), null);
    }

    private async Task<(FailoverPlan? Plan, PatroniCluster? Cluster, string? Error)> ReadPlanAsync(bool sampleWalRate, CancellationToken cancellationToken)
    {
        var (cluster, error) = await ReadClusterAsync(cancellationToken);
        if (cluster is null)
        {
            return (null, null, error);
        }

        // Patroni 3.0.2 names one leader per answer; two in one is no state to plan a promotion on.
        if (cluster.Leaders.Count > 1)
        {
            return (null, null, $"/cluster names {cluster.Leaders.Count} leaders ({cluster.LeaderKey}): nothing is planned on a split brain. Fence the stale primary, then run the diagnostics again.");
        }

        PatroniDynamicConfig config = new();
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetConfigAsync(member, cancellationToken)).Value is { } read)
            {
                config = read;
                break;
            }
        }

        var leader = cluster.Leader;
        PatroniNodeStatus? leaderStatus = null;
        if (leader is not null && ApiRoot(leader.ApiUrl) is { } leaderApi)
        {
            leaderStatus = (await patroni.GetStatusAsync(leaderApi, cancellationToken)).Value;
        }

        var leaderHealthy = leaderStatus is { State: "running", IsPrimary: true };
        var replicas = cluster.Replicas.ToList();
        var statuses = await Task.WhenAll(replicas.Select(async m =>
            (m.Name, Status: ApiRoot(m.ApiUrl) is { } api ? (await patroni.GetStatusAsync(api, cancellationToken)).Value : null)));
        var received = statuses.ToDictionary(
            s => s.Name,
            s => s.Status?.Xlog is { } x ? x.ReceivedLocation ?? x.ReplayedLocation : null,
            StringComparer.Ordinal);

        double? rate = null;
        var leaderLsn = leaderStatus?.Xlog?.Location;
        if (sampleWalRate && leaderHealthy && leaderLsn is { } first && _options.WalRateSampleInterval > TimeSpan.Zero)
        {
            var t0 = time.GetTimestamp();
            await Task.Delay(_options.WalRateSampleInterval, time, cancellationToken);
            var second = (await patroni.GetStatusAsync(ApiRoot(leader!.ApiUrl)!, cancellationToken)).Value?.Xlog?.Location;
            var elapsed = time.GetElapsedTime(t0).TotalSeconds;
            if (second is { } s && elapsed > 0)
            {
                rate = Math.Max(0, s - first) / elapsed;
                leaderLsn = s;
            }
        }

        // No healthy leader: what the DCS last recorded of it, measured through the replicas' own health checks.
        // Each replica answers from its cached view of the DCS, which Patroni drops after ttl without a refresh (the
        // check then never reports a lag): only replicas that saw the DCS within ttl (/patroni dcs_last_seen) count.
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var dcs = leaderHealthy ? null : await DcsOptimeReader.MeasureAsync(
            patroni,
            [.. replicas.Zip(statuses)
                .Where(p => p.First.IsRunning && ApiRoot(p.First.ApiUrl) is not null && p.Second.Status?.Xlog?.ReplayedLocation is not null
                            && p.Second.Status.DcsLastSeen is { } seen && now - seen <= config.EffectiveTtl)
                .Select(p => (p.First.Name, ApiRoot(p.First.ApiUrl)!, p.Second.Status!.Xlog!.ReplayedLocation!.Value))],
            DcsOptimeBudget,
            cancellationToken);
        var plan = FailoverPlanner.Plan(cluster, leaderHealthy, leaderLsn, received, config.EffectiveMaximumLagOnFailover, rate,
            Incident.RecoveryPointObjective, dcs, config.EffectiveTtl, config.SynchronousMode);
        return (plan, cluster, null);
    }

    private async Task<int> LoopWaitAsync(CancellationToken cancellationToken)
    {
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetConfigAsync(member, cancellationToken)).Value is { } config)
            {
                return config.EffectiveLoopWait;
            }
        }

        return 10;
    }

    /// <summary>
    /// The leader of the current timeline: /cluster's leader, or, when the leader key has expired, the new_leader
    /// of the /history entry that opened this timeline (null on timeline 1).
    /// </summary>
    private async Task<string?> FormerLeaderAsync(FailoverPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Leader is not null)
        {
            return plan.Leader;
        }

        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetHistoryAsync(member, cancellationToken)).Value is { } history)
            {
                return history.LastOrDefault(h => h.Timeline == plan.Timeline - 1)?.NewLeader;
            }
        }

        return null;
    }

    private static Dictionary<string, string> EstimateFigures(FailoverPlan plan, FailoverCandidate candidate, string? formerLeader)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ActionFigureKeys.FailoverMode] = ModeText(plan.Mode),
            [ActionFigureKeys.OldLeader] = formerLeader ?? "unknown",
            [ActionFigureKeys.TimelineBefore] = Invariant(plan.Timeline),
            [ActionFigureKeys.EstimatedLossBytes] = candidate.EstimatedLossBytes is { } b ? Invariant(b) : "unknown",
            [ActionFigureKeys.EstimatedLossSeconds] = candidate.EstimatedLossSeconds is { } s ? s.ToString("0.###", CultureInfo.InvariantCulture) : "unknown",
            [ActionFigureKeys.WalRateBytesPerSecond] = plan.WalRateBytesPerSecond is { } r ? r.ToString("0", CultureInfo.InvariantCulture) : "unknown",
        };
        if (plan.LeaderLastLsn is { } last)
        {
            figures[ActionFigureKeys.OldLeaderLastLsn] = PgLsn.Format(last);
        }

        figures[ActionFigureKeys.LossLowerMeasured] = candidate.LossMeasured ? "true" : "false";
        figures[ActionFigureKeys.PatroniTtlSeconds] = Invariant(plan.TtlSeconds);
        if (candidate.LossUpperBytes is { } upper)
        {
            figures[ActionFigureKeys.LossUpperBytes] = Invariant(upper);
        }

        if (candidate.ReceivedLsn is { } received)
        {
            figures[ActionFigureKeys.CandidateReceivedLsn] = PgLsn.Format(received);
        }

        return figures;
    }

    private static string DescribeCommand(FailoverPlan plan, FailoverCandidate candidate, PatroniCluster cluster) =>
        plan.Mode == FailoverMode.Switchover
            ? $"`POST {Endpoint(cluster.Leader?.ApiUrl, "switchover")} {{\"leader\":\"{plan.Leader}\",\"candidate\":\"{candidate.Name}\"}}`"
            : $"`POST {Endpoint(candidate.ApiUrl, "failover")} {{\"candidate\":\"{candidate.Name}\"}}`";

    private static string Endpoint(string? apiUrl, string path) =>
        ApiRoot(apiUrl) is { } root ? new Uri(root, path).ToString() : "/" + path;

    private static string DescribeBasis(FailoverPlan plan)
    {
        var head = plan.LeaderHealthy
            ? $"/cluster: leader {plan.Leader} is healthy (running primary) on timeline {plan.Timeline}, at {(plan.LeaderLastLsn is { } l ? PgLsn.Format(l) : "unknown LSN")}."
            : $"/cluster: {(plan.Leader is null ? "no leader" : $"leader key held by {plan.Leader}, which does not answer as a running primary")} (timeline {plan.Timeline}). " +
              (plan.LeaderLastLsn is { } l2
                  ? $"The leader's last optime in the DCS is at least {PgLsn.Format(l2)} (measured through the replicas' /replica?lag=N checks)"
                  : plan.Dcs is { CaughtUp.Count: > 0 } d
                      ? $"{string.Join(", ", d.CaughtUp.Order(StringComparer.Ordinal))} already replayed the leader's last optime in the DCS (/replica?lag=0 answered 200)"
                      : "The leader's last optime in the DCS could not be measured (no replica with a view of the DCS fresher than ttl answered /replica?lag=N)") +
              $": the leader writes it once per loop_wait and can have written up to ttl {plan.TtlSeconds} s more, so every loss below is a LOWER bound.";
        var rate = plan.WalRateBytesPerSecond is { } r
            ? $"WAL rate {ByteSize.Format((long)r)}/s (two samples of the leader's LSN)."
            : "WAL rate unknown (the leader cannot be sampled), so the loss in time is unknown.";
        return $"{head} maximum_lag_on_failover {ByteSize.Format(plan.MaximumLagOnFailover)}; RPO 15 min. {rate}" +
               (plan.Paused ? " The cluster is paused (maintenance mode): Patroni will not fail over by itself." : string.Empty) +
               "\n" + FailoverPlanner.DescribeCandidates(plan);
    }
}
