using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics.Patroni;

/// <summary>
/// The runbook's <c>patronictl list</c> over REST: <c>/cluster</c> from every configured member at once, plus
/// <c>/patroni</c> and <c>/config</c> per member, all in parallel with the client's per-member timeout. Flags no
/// leader or more than one, members that disagree about the leader, a leader that does not answer or does not run,
/// replicas not running, missing, on another timeline, or lagging (unknown, or above maximum_lag_on_failover),
/// a paused cluster, a stale DCS view, and unreachable or hung members (DEGRADED, naming them). Split brain is more
/// than one member whose own <c>/patroni</c> says <c>master</c>/<c>primary</c> (in 3.0.2 that role comes from the
/// member's own PostgreSQL: timeline 0, i.e. in recovery, means replica; <c>api.py</c> <c>get_postgresql_status</c>),
/// whatever the single DCS leader key says. <c>/history</c> dates the last timeline switch, so the classifier can
/// tell a failover Patroni already made.
/// </summary>
internal sealed class PatroniProbe(IPatroniClient client, IOptions<PatroniOptions> options, TimeProvider time) : IDiagnosticProbe
{
    public const string UrlsSetting = "Cerberus__Patroni__Urls__0";

    /// <summary>Room after the per-member timeout for parsing and comparing.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    public string Name => ProbeNames.Patroni;

    public TimeSpan Timeout => options.Value.RequestTimeout + Slack;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var members = client.Members;
        if (members.Count == 0)
        {
            return ProbeFindings.NotConfigured(Name, UrlsSetting, time.GetElapsedTime(started));
        }

        using var budget = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var token = linked.Token;
        var findings = new ProbeFindings(Name);
        try
        {
            var clusterTask = client.GetClusterFromAllAsync(token);
            var statusTasks = members.Select(m => client.GetStatusAsync(m, token)).ToList();
            var configTasks = members.Select(m => client.GetConfigAsync(m, token)).ToList();
            var historyTask = client.GetHistoryAsync(members[0], token);
            await Task.WhenAll(Task.WhenAll(statusTasks), Task.WhenAll(configTasks), clusterTask);
            var view = new PatroniView(members, await clusterTask, statusTasks.Select(t => t.Result).ToList(), configTasks.Select(t => t.Result).ToList());
            var summary = Examine(view, findings);
            ExamineHistory(await HistoryAsync(historyTask), findings);
            return findings.Build(summary, time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var what = ex is OperationCanceledException
                ? $"Patroni did not answer within the probe's {Durations.Format(Timeout)} budget"
                : $"asking Patroni failed: {ex.GetType().Name}";
            findings.Problem(ProbeStatus.Unknown, what);
            return findings.Build(string.Empty, time.GetElapsedTime(started));
        }
    }

    private string Examine(PatroniView view, ProbeFindings findings)
    {
        var timeout = Durations.Format(options.Value.RequestTimeout);
        var unreachable = view.Members
            .Where(m => view.Cluster(m) is not { Succeeded: true } && view.Status(m) is not { Succeeded: true })
            .Select(m => $"{view.NameOf(m)} ({Why(view.Cluster(m), timeout)})")
            .ToList();
        findings.Fact(DiagnosisFactKeys.PatroniReachable, $"{view.Members.Count - unreachable.Count}/{view.Members.Count}");
        if (unreachable.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.PatroniUnreachable, string.Join(", ", unreachable));
        }

        foreach (var answer in view.Clusters)
        {
            findings.Detail($"/cluster from {view.NameOf(answer.Member)}: {(answer.Value is { } c ? Describe(c) : Why(answer, timeout))} ({answer.Elapsed.TotalMilliseconds:0} ms)");
        }

        ExamineDcsReachability(view, findings);
        var reference = view.Reference;
        if (reference is null)
        {
            findings.Problem(ProbeStatus.Unknown, $"no Patroni member answered /cluster: {string.Join(", ", unreachable)} (DCS or network trouble; look at the pods)");
            return string.Empty;
        }

        var maxLag = view.MaximumLagOnFailover;
        findings.Fact(DiagnosisFactKeys.PatroniMaxLagOnFailover, maxLag);
        var leaders = reference.Leaders;
        var leader = reference.Leader;
        var paused = reference.Pause == true || view.Statuses.Any(s => s.Value?.Pause == true);
        findings.Fact(FactKeys.PatroniLeader, leader?.Name ?? string.Empty);
        findings.Fact(DiagnosisFactKeys.PatroniLeaderCount, leaders.Count);
        findings.Fact(FactKeys.PatroniMembers, string.Join(",", reference.Members.Select(m => $"{m.Name}:{m.Role}:{m.State}")));
        findings.Fact(FactKeys.PatroniPaused, paused);
        findings.Fact(FactKeys.MaxReplicaLagBytes, reference.Replicas.Select(m => m.LagBytes ?? 0).DefaultIfEmpty(0).Max());
        if (leader?.Timeline is { } tl)
        {
            findings.Fact(FactKeys.PatroniTimeline, tl);
        }

        if (unreachable.Count > 0)
        {
            findings.Problem(ProbeStatus.Warn, $"DEGRADED: {unreachable.Count} of {view.Members.Count} member(s) did not answer: {string.Join(", ", unreachable)}");
        }

        var distinctLeaders = view.Clusters.Where(a => a.Value is not null)
            .Select(a => a.Value!.LeaderKey)
            .Distinct(StringComparer.Ordinal).ToList();
        findings.Fact(DiagnosisFactKeys.PatroniLeaderDisagreement, distinctLeaders.Count > 1);
        if (distinctLeaders.Count > 1)
        {
            findings.Problem(ProbeStatus.Warn, "members disagree about the leader: " + string.Join("; ",
                view.Clusters.Where(a => a.Value is not null).Select(a => $"{view.NameOf(a.Member)} says {LeaderName(a.Value!)}")));
        }

        if (leaders.Count == 0 || view.Statuses.Any(s => s.Value?.ClusterUnlocked == true))
        {
            findings.Problem(ProbeStatus.Crit, leaders.Count == 0 ? "Patroni reports no leader" : "a member reports the cluster unlocked (no leader lock)");
        }
        else if (leaders.Count > 1)
        {
            findings.Problem(ProbeStatus.Crit, $"{leaders.Count} members claim leadership ({string.Join(", ", leaders.Select(l => l.Name))}): split brain");
        }

        ExamineLeader(view, leader, findings, timeout);
        ExamineSplitBrain(view, leader, findings);
        ExamineReplicas(view, reference, leader, maxLag, findings);

        if (paused)
        {
            findings.Problem(ProbeStatus.Warn, "the cluster is paused: Patroni will not fail over automatically");
        }

        if (reference.ScheduledSwitchover is { Count: > 0 } scheduled)
        {
            findings.Detail("scheduled switchover: " + string.Join(", ", scheduled.Select(kv => $"{kv.Key}={kv.Value}")));
        }

        ExamineDcs(view, findings);
        var replicas = reference.Replicas.ToList();
        return leader is null
            ? $"{reference.Members.Count} member(s), no single leader"
            : $"leader {leader.Name} on timeline {leader.Timeline}, {replicas.Count(r => r.IsRunning)} of {replicas.Count} replica(s) running, max lag {ByteSize.Format(replicas.Select(r => r.LagBytes ?? 0).DefaultIfEmpty(0).Max())}";
    }

    private static void ExamineLeader(PatroniView view, PatroniMember? leader, ProbeFindings findings, string timeout)
    {
        if (leader is null)
        {
            findings.Fact(DiagnosisFactKeys.PatroniLeaderHealthy, false);
            return;
        }

        string? problem = null;
        var status = view.StatusOf(leader);
        if (!leader.IsRunning)
        {
            problem = $"is {leader.State} in /cluster";
        }
        else if (status is { TimedOut: true })
        {
            problem = $"did not answer /patroni within {timeout} (its PostgreSQL may be hung)";
        }
        else if (status is { Succeeded: false })
        {
            problem = $"did not answer /patroni ({status.Error})";
        }
        else if (status?.Value is { } s && (s.State != "running" || !s.IsPrimary))
        {
            problem = $"reports state {s.State ?? "?"} as {s.Role ?? "?"} on /patroni";
        }

        findings.Fact(DiagnosisFactKeys.PatroniLeaderHealthy, problem is null);
        if (problem is not null)
        {
            findings.Fact(DiagnosisFactKeys.PatroniLeaderProblem, problem);
            findings.Problem(ProbeStatus.Crit, $"leader {leader.Name} {problem}");
        }
    }

    private static void ExamineReplicas(PatroniView view, PatroniCluster reference, PatroniMember? leader, long maxLag, ProbeFindings findings)
    {
        var unhealthy = new List<string>();
        var lagging = new List<string>();
        PatroniMember? candidate = null;
        foreach (var r in reference.Replicas)
        {
            var status = view.StatusOf(r);
            var reachable = status is null or { Succeeded: true };
            var otherTimeline = leader?.Timeline is { } tl && r.Timeline is { } rtl && rtl != tl;
            if (!r.IsRunning)
            {
                unhealthy.Add($"{r.Name} ({r.State})");
            }
            else if (otherTimeline)
            {
                // Never the suggested candidate: its LSNs do not compare with the leader's (its lag can read 0), and
                // promoting it discards what the leader's timeline wrote since the fork.
                unhealthy.Add($"{r.Name} (timeline {r.Timeline}, leader on {leader!.Timeline})");
                continue;
            }

            if (r.LagBytes is not { } lag)
            {
                lagging.Add($"{r.Name} (lag unknown)");
            }
            else if (lag > maxLag)
            {
                lagging.Add($"{r.Name} (lag {ByteSize.Format(lag)} > {ByteSize.Format(maxLag)})");
            }
            else if (r.IsRunning && !r.NoFailover && reachable && (candidate is null || lag < candidate.LagBytes))
            {
                candidate = r;
            }
        }

        // A configured member that /cluster does not list has left the DCS (stopped, or never joined). When no
        // configured URL matches any api_url (members addressed by Service or DNS names, api_url by pod IP), only
        // the count can tell.
        var unmatched = view.Members.Where(m => view.MemberFor(m) is null).ToList();
        if (unmatched.Count > 0 && unmatched.Count < view.Members.Count)
        {
            unhealthy.AddRange(unmatched.Select(m => $"{m.Authority} (not in /cluster)"));
        }
        else if (unmatched.Count == view.Members.Count && reference.Members.Count < view.Members.Count)
        {
            unhealthy.Add($"{view.Members.Count - reference.Members.Count} of {view.Members.Count} configured member(s) (missing from /cluster)");
        }

        if (unhealthy.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.PatroniUnhealthyReplicas, string.Join(", ", unhealthy));
            findings.Problem(ProbeStatus.Crit, $"replica(s) not replicating: {string.Join(", ", unhealthy)}");
        }

        if (lagging.Count > 0)
        {
            findings.Fact(DiagnosisFactKeys.PatroniLaggingReplicas, string.Join(", ", lagging));
            findings.Problem(lagging.Any(l => l.EndsWith("(lag unknown)", StringComparison.Ordinal)) ? ProbeStatus.Crit : ProbeStatus.Warn,
                $"replica(s) not eligible for failover by lag: {string.Join(", ", lagging)}");
        }

        if (candidate is not null)
        {
            findings.Fact(DiagnosisFactKeys.PatroniCandidate, candidate.Name);
            findings.Fact(DiagnosisFactKeys.PatroniCandidateLagBytes, candidate.LagBytes ?? 0);
        }
    }

    /// <summary>Two or more members whose own /patroni reports a primary: whatever the DCS says, two servers take writes.</summary>
    private static void ExamineSplitBrain(PatroniView view, PatroniMember? leader, ProbeFindings findings)
    {
        var primaries = view.Members
            .Where(m => view.Status(m)?.Value?.IsPrimary == true)
            .Select(view.NameOf)
            .ToList();
        if (primaries.Count < 2)
        {
            return;
        }

        var stale = primaries.Where(n => !string.Equals(n, leader?.Name, StringComparison.Ordinal)).ToList();
        findings.Fact(DiagnosisFactKeys.SplitBrain, string.Join(", ", primaries));
        findings.Problem(ProbeStatus.Crit,
            $"split brain: {string.Join(" and ", primaries)} each report role master on /patroni{(leader is null ? string.Empty : $"; {leader.Name} holds the leader lock, so fence {string.Join(", ", stale)}")}");
    }

    /// <summary>The last timeline switch from /history ([timeline, lsn, reason, timestamp, new_leader] in 3.0.2).</summary>
    private void ExamineHistory(IReadOnlyList<PatroniHistoryEntry>? history, ProbeFindings findings)
    {
        if (history is not { Count: > 0 })
        {
            return;
        }

        var last = history[^1];

        // Each entry names the timeline that ended; the new one is the next.
        var timeline = last.Timeline + 1;
        findings.Fact(DiagnosisFactKeys.LastSwitchTimeline, timeline);
        if (last.NewLeader is { Length: > 0 } newLeader)
        {
            findings.Fact(DiagnosisFactKeys.LastSwitchLeader, newLeader);
        }

        if (history.Count >= 2 && history[^2].NewLeader is { Length: > 0 } previous)
        {
            findings.Fact(DiagnosisFactKeys.PreviousLeader, previous);
        }

        var when = DateTimeOffset.TryParse(last.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
        if (when is { } t)
        {
            findings.Fact(DiagnosisFactKeys.LastSwitchAt, t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            findings.Fact(DiagnosisFactKeys.LastSwitchAgeSeconds, Math.Max(0, (time.GetUtcNow() - t).TotalSeconds));
        }

        findings.Detail($"/history: timeline {timeline} began{(when is { } w ? $" at {w.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z" : string.Empty)}{(last.NewLeader is { Length: > 0 } l ? $" with leader {l}" : string.Empty)} ({history.Count} switch(es) in all)");
    }

    private static async Task<IReadOnlyList<PatroniHistoryEntry>?> HistoryAsync(Task<PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>> task)
    {
        try
        {
            return (await task).Value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    private void ExamineDcs(PatroniView view, ProbeFindings findings)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var loopWait = view.LoopWait;
        foreach (var (member, status) in view.Members.Zip(view.Statuses))
        {
            if (status.Value is not { } s)
            {
                continue;
            }

            findings.Detail($"/patroni from {view.NameOf(member)}: {s.Role ?? "?"} {s.State ?? "?"}, timeline {s.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "?"}{(s.PendingRestart == true ? ", pending restart" : string.Empty)} ({status.Elapsed.TotalMilliseconds:0} ms)");
            if (s.DcsLastSeen is { } seen && now - seen > (2 * loopWait) + 5)
            {
                findings.Problem(ProbeStatus.Warn, $"{view.NameOf(member)} last saw the DCS {Durations.Format(now - seen)} ago (loop_wait {loopWait} s)");
            }
        }
    }

    /// <summary>
    /// Whether Patroni itself can reach its DCS, from what 3.0.2 serves without it: <c>/patroni</c> answers from the
    /// member's own state (<c>dcs_last_seen</c> = the last successful read of the DCS, <c>failsafe_mode_is_active</c>
    /// while the primary runs on failsafe_mode), while <c>/cluster</c> reads the DCS (<c>dcs.get_cluster(True)</c>) and
    /// gets no answer. Every answering member stale (0 = never read since start, unknown), any member in failsafe, or no
    /// <c>/cluster</c> at all while <c>/patroni</c> answers stale or unlocked: the DCS is unreachable.
    /// </summary>
    private void ExamineDcsReachability(PatroniView view, ProbeFindings findings)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var limit = (2 * view.LoopWait) + 5;
        var answered = view.Members.Zip(view.Statuses).Where(p => p.Second.Value is not null).Select(p => (Name: view.NameOf(p.First), Status: p.Second.Value!)).ToList();
        var known = answered.Where(a => a.Status.DcsLastSeen is > 0).ToList();
        var stale = known.Where(a => now - a.Status.DcsLastSeen!.Value > limit).ToList();
        var failsafe = answered.Where(a => a.Status.FailsafeModeIsActive == true).Select(a => a.Name).ToList();
        var noCluster = view.Clusters.All(c => c.Value is null);
        var allStale = known.Count > 0 && stale.Count == known.Count;
        var unreachable = failsafe.Count > 0 || (allStale && known.Count == answered.Count)
                          || (noCluster && answered.Count > 0 && (stale.Count > 0 || answered.Any(a => a.Status.ClusterUnlocked == true)));
        findings.Fact(DcsFactKeys.Unreachable, unreachable);
        if (!unreachable)
        {
            return;
        }

        var freshest = known.Count > 0 ? known.Min(a => now - a.Status.DcsLastSeen!.Value) : (long?)null;
        if (freshest is { } age)
        {
            findings.Fact(DcsFactKeys.LastSeenAgeSeconds, age);
        }

        findings.Fact(DcsFactKeys.FailsafeMembers, string.Join(",", failsafe));
        findings.Fact(DcsFactKeys.PrimaryMembers, string.Join(",", answered.Where(a => a.Status.IsPrimary).Select(a => a.Name)));
        findings.Fact(DcsFactKeys.ClusterUnanswered, noCluster);
        findings.Problem(ProbeStatus.Crit,
            "Patroni cannot reach its DCS: " + string.Join(", ", new[]
            {
                freshest is { } f ? $"the freshest member last read it {Durations.Format(f)} ago (loop_wait {view.LoopWait} s)" : null,
                noCluster ? "no member answers /cluster (it reads the DCS)" : null,
                failsafe.Count > 0 ? $"failsafe mode is active on {string.Join(", ", failsafe)}" : null,
            }.OfType<string>()));
    }

    private static string Describe(PatroniCluster c) =>
        string.Join(", ", c.Members.Select(m =>
            $"{m.Name} {m.Role} {m.State} tl {m.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "?"}{(m.IsLeader ? string.Empty : $" lag {(m.LagBytes is { } l ? ByteSize.Format(l) : "unknown")}")}"))
        + (c.Pause == true ? " (paused)" : string.Empty);

    private static string LeaderName(PatroniCluster c) =>
        c.Leaders.Select(m => m.Name).DefaultIfEmpty("no leader").Aggregate((a, b) => $"{a}+{b}");

    private static string Why<T>(PatroniAnswer<T>? answer, string timeout)
        where T : class =>
        answer switch
        {
            null => "not asked",
            { TimedOut: true } => $"no answer within {timeout}",
            { Error: { } e } => e,
            _ => "no answer",
        };
}
