using System.Globalization;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// Promotes a Patroni member through the REST API: <c>POST /switchover</c> when the leader is healthy (graceful,
/// no loss), <c>POST /failover</c> when there is none (Patroni then skips its own lag check, so this action
/// estimates the loss and asks for an explicit confirmation). Registered twice: for
/// <see cref="RemediationKind.Switchover"/> and <see cref="RemediationKind.Failover"/>. Before every POST the live
/// mode, fingerprint and risk are compared with the approved ones; any difference stops the action with
/// <see cref="ActionOutcome.StateChanged"/> (a switchover never turns into a failover without a new approval).
/// </summary>
internal sealed partial class PatroniFailoverAction(
    RemediationKind kind,
    IPatroniClient patroni,
    PostgresConnector postgres,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<PatroniFailoverAction> logger) : IRemediationAction
{
    public const string CandidateArgument = "candidate";
    private const string ModeParameter = "mode";
    private const string LeaderParameter = "leader";
    private const string TimelineParameter = "timeline_before";
    private const string RiskParameter = "risk";

    /// <summary>Figure: every answer Patroni gave to this action's POSTs, in order (" | " between them).</summary>
    private const string PatroniAnswersFigure = "patroni_answers";

    /// <summary>Figure: the approved candidate, recorded when Patroni promoted another member instead.</summary>
    private const string RequestedCandidateFigure = "requested_candidate";

    /// <summary>How long the DCS optime search may take (each probe is one local GET; a search is ≈ 30 of them).</summary>
    private static readonly TimeSpan DcsOptimeBudget = TimeSpan.FromSeconds(5);
    private const string FenceExplanation =
        "Patroni 3.0.2 lets a stale primary that resumes re-take the leader lock and force the new leader to demote and pg_rewind, " +
        "discarding the writes it accepted meanwhile (fixed in 3.0.3 #2693 and 3.1.0 #2787). Fence it before it comes back: " +
        "delete its pod, scale its deployment to 0, or stop Patroni there; then let it rejoin as a replica.";

    private readonly ActionsOptions _options = options.Value;

    public RemediationKind Kind { get; } = kind is RemediationKind.Switchover or RemediationKind.Failover
        ? kind
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, "switchover or failover only");

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (patroni.Members.Count == 0)
        {
            return ActionProposal.NotApplicable("Patroni is not configured: set Cerberus:Patroni:Urls to every member's REST API.");
        }

        var (plan, cluster, error) = await ReadPlanAsync(sampleWalRate: true, cancellationToken);
        if (plan is null || cluster is null)
        {
            return ActionProposal.NotApplicable($"No promotion can be proposed: {error}");
        }

        if (Kind == RemediationKind.Switchover && !plan.LeaderHealthy)
        {
            return ActionProposal.NotApplicable(
                $"A switchover needs a healthy leader, and {(plan.Leader is null ? "there is none" : plan.Leader + " does not answer as a running primary")}: propose a failover instead.");
        }

        var valid = plan.Offered.Select(c => c.Name).ToList();
        var validText = valid.Count == 0 ? "none" : string.Join(", ", valid);
        FailoverCandidate? chosen;
        if (request.Arguments.TryGetValue(CandidateArgument, out var requested) && !string.IsNullOrWhiteSpace(requested))
        {
            requested = requested.Trim();
            if (string.Equals(requested, plan.Leader, StringComparison.Ordinal))
            {
                return ActionProposal.NotApplicable($"{requested} is already the leader. Valid candidates: {validText}.");
            }

            chosen = plan.Find(requested);
            if (chosen is null)
            {
                return ActionProposal.NotApplicable(
                    $"'{requested}' is not a member of the Patroni cluster (candidates are Patroni member names from /cluster, not deployment names such as postgres-replica). Valid candidates: {validText}.");
            }

            if (!chosen.Offered)
            {
                return ActionProposal.NotApplicable($"{chosen.Name} cannot be promoted: {chosen.NotOfferedReason}. Valid candidates: {validText}.");
            }
        }
        else
        {
            chosen = plan.Best;
            if (chosen is null)
            {
                return ActionProposal.NotApplicable(
                    $"No member can be promoted:\n{FailoverPlanner.DescribeCandidates(plan)}");
            }
        }

        var dryRun = request.DryRun || _options.DryRun;
        var command = DescribeCommand(plan, chosen, cluster);
        var formerLeader = await FormerLeaderAsync(plan, cancellationToken);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CandidateArgument] = chosen.Name,
            [ModeParameter] = ModeText(plan.Mode),
            [LeaderParameter] = formerLeader ?? string.Empty,
            [TimelineParameter] = Invariant(plan.Timeline),
            ["maximum_lag_on_failover"] = Invariant(plan.MaximumLagOnFailover),
            [RiskParameter] = LiveState(plan, chosen.Name, chosen).RiskText,
        };
        var figures = EstimateFigures(plan, chosen, formerLeader);
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = chosen.Name,
            Description = (dryRun ? "DRY RUN — nothing will be sent. Would run: " : "Will run: ") + command +
                          $" ({(plan.Mode == FailoverMode.Switchover ? "graceful switchover: the leader is healthy" : "failover: there is no healthy leader; Patroni skips its lag check for a named candidate, so the loss below is ours to accept")}). " +
                          $"Then verify: {chosen.Name} leads on timeline {plan.Timeline + 1}, pg_is_in_recovery() is false on it, and {formerLeader ?? "the old leader"} is back as a replica or flagged for fencing.",
            BasedOn = DescribeBasis(plan),
            ObservedFingerprint = FailoverPlanner.Fingerprint(plan, chosen.Name),
            Parameters = parameters,
            Figures = figures,
            RiskWarning = FailoverPlanner.RiskWarning(plan, chosen),
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        Log.Proposed(logger, Kind, chosen.Name, ModeText(plan.Mode), action.RiskWarning is not null);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (plan, _, error) = await ReadPlanAsync(sampleWalRate: false, cancellationToken);
        return plan is null ? $"unreadable: {error}" : FailoverPlanner.Fingerprint(plan, Candidate(action));
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var candidate = Candidate(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would {action.Description}; nothing was sent.");
        }

        var started = time.GetTimestamp();
        var answers = new List<string>();
        var reached = 0;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var (plan, cluster, error) = await ReadPlanAsync(sampleWalRate: false, cancellationToken);
            if (plan is null || cluster is null)
            {
                return ActionOutcome.Failure($"Nothing {(answers.Count == 0 ? "was" : "more was")} sent: {error}", Done(answers, reached));
            }

            if (string.Equals(plan.Leader, candidate, StringComparison.Ordinal) && plan.LeaderHealthy)
            {
                return ActionOutcome.Success($"{candidate} already leads (timeline {plan.Timeline}); nothing was sent.",
                    Record(action, new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.NewLeader] = candidate }));
            }

            // Before EVERY POST (not only the first): the live mode, leader, timeline, candidate state, lag bucket and
            // risk must still be those the approver saw. A switchover never becomes a failover without a new approval.
            var c = plan.Find(candidate);
            var approved = ApprovedState(action);
            var observed = LiveState(plan, candidate, c);
            if (!approved.Covers(observed))
            {
                Log.StateChanged(logger, candidate, attempt, approved.Text, observed.Text);
                progress.Report($"Not sending POST /{ModeText(plan.Mode)}: the state changed since the approval ({approved.Text} → {observed.Text}). A fresh approval is needed.");
                return ActionOutcome.StateChanged(approved.Text, observed.Text, Done(answers, reached));
            }

            if (c is null || !c.Offered)
            {
                return ActionOutcome.Failure($"Nothing {(answers.Count == 0 ? "was" : "more was")} sent: {candidate} {(c is null ? "is no longer a member in /cluster" : "cannot be promoted now: " + c.NotOfferedReason)}.", Done(answers, reached));
            }

            var figures = EstimateFigures(plan, c, await FormerLeaderAsync(plan, cancellationToken));
            Record(action, figures);

            var target = plan.Mode == FailoverMode.Switchover
                ? ApiRoot(cluster.Leader?.ApiUrl) ?? patroni.Members[0]
                : ApiRoot(c.ApiUrl) ?? patroni.Members[0];
            progress.Report($"POST {new Uri(target, ModeText(plan.Mode))} for {candidate} ({ModeText(plan.Mode)}, attempt {attempt})…");
            var result = plan.Mode == FailoverMode.Switchover
                ? await patroni.SwitchoverAsync(target, plan.Leader!, candidate, cancellationToken)
                : await patroni.FailoverAsync(target, candidate, cancellationToken);
            var answer = Answer(result);
            answers.Add(answer);
            reached += result.NotSent ? 0 : 1;
            figures[ActionOutcome.SideEffectsDoneFigure] = Invariant(reached);
            figures[PatroniAnswersFigure] = string.Join(" | ", answers);
            Log.Answered(logger, ModeText(plan.Mode), candidate, result.StatusCode ?? 0, result.Elapsed.TotalMilliseconds);
            progress.Report($"Patroni answered {answer} in {result.Elapsed.TotalSeconds:0.0} s.");

            if (result.StatusCode == 200)
            {
                var newLeader = ParseNewLeader(result.Body) ?? candidate;
                return Promoted(action, plan, candidate, newLeader, $"Patroni answered {answer} after {time.GetElapsedTime(started).TotalSeconds:0.0} s", figures);
            }

            if (result.StatusCode == 412)
            {
                var (again, _, _) = await ReadPlanAsync(sampleWalRate: false, cancellationToken);
                var now = again?.Find(candidate);
                if (now is null || !now.Offered)
                {
                    return ActionOutcome.Failure(
                        $"Patroni refused: {answer}. /cluster now: {candidate} {(now is null ? "is not a member" : now.NotOfferedReason)}. Nothing changed.", Record(action, figures));
                }

                if (attempt == 1 && result.Body.Contains("no good candidates", StringComparison.OrdinalIgnoreCase))
                {
                    var wait = TimeSpan.FromSeconds(await LoopWaitAsync(cancellationToken));
                    progress.Report($"Patroni found no good candidate, which is transient right after a member rejoins: re-reading /cluster and trying once more in {wait.TotalSeconds:0} s (loop_wait), only if the state is still the approved one.");
                    await Task.Delay(wait, time, cancellationToken);
                    continue;
                }

                return ActionOutcome.Failure($"Patroni refused: {answer}. Nothing changed; not retried.", Record(action, figures));
            }

            if (result.NotSent)
            {
                return ActionOutcome.Failure($"Could not reach {target}: {answer}. Propose again once Patroni answers.", Record(action, figures));
            }

            if (result.Failed)
            {
                // api.py poll_failover_result: "… failed" = the failover key is gone and the leader did not change.
                var (seen, _) = await ReadClusterAsync(cancellationToken);
                var leader = seen?.Leader;
                return ActionOutcome.Failure(
                    $"Patroni answered {answer}: it dropped the request without a new leader, so the {ModeText(plan.Mode)} did not happen" +
                    $"{(leader is null ? string.Empty : $" (/cluster: leader {leader.Name} on timeline {leader.Timeline})")}. Not retried; check {candidate} and propose again.",
                    Record(action, figures));
            }

            if (result.Unknown)
            {
                return await DecideFromRealityAsync(action, plan, candidate, answer, figures, progress, cancellationToken);
            }

            return ActionOutcome.Failure(
                $"Patroni refused: {answer}.{(result.StatusCode == 401 ? " Check Cerberus:Patroni:Username and Password." : string.Empty)} Nothing changed; not retried.",
                Record(action, figures));
        }

        return ActionOutcome.Failure("Patroni refused twice; nothing changed. Not retried further.", Done(answers, reached));
    }

    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        // The member Patroni actually promoted (recorded by ExecuteAsync; "instead of" answers name another one).
        var candidate = Figure(action, ActionFigureKeys.NewLeader, null) ?? Candidate(action);
        var oldLeader = Figure(action, ActionFigureKeys.OldLeader, LeaderParameter);
        var before = int.Parse(Figure(action, ActionFigureKeys.TimelineBefore, TimelineParameter) ?? "0", CultureInfo.InvariantCulture);
        var deadline = time.GetUtcNow() + _options.VerifyDeadline;
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);

        // 1. /cluster: the candidate leads, running, on timeline + 1.
        PatroniCluster? cluster = null;
        string reality = "no answer from /cluster";
        while (true)
        {
            cluster = await ReadClusterAsync(cancellationToken) is { Cluster: { } c } ? c : null;
            var leader = cluster?.Leader;
            if (leader is not null)
            {
                reality = $"leader {leader.Name} ({leader.State}, timeline {leader.Timeline})";
                if (string.Equals(leader.Name, candidate, StringComparison.Ordinal) && leader.IsRunning && leader.Timeline == before + 1)
                {
                    break;
                }
            }
            else if (cluster is not null)
            {
                reality = "no leader";
            }

            if (time.GetUtcNow() > deadline)
            {
                return ActionOutcome.Failure($"Not verified within {_options.VerifyDeadline.TotalSeconds:0} s: expected {candidate} running as leader on timeline {before + 1}; /cluster shows {reality}.");
            }

            await Task.Delay(_options.PollInterval, time, cancellationToken);
        }

        var newLeader = cluster!.Leader!;
        figures[ActionFigureKeys.NewLeader] = newLeader.Name;
        figures[ActionFigureKeys.TimelineAfter] = Invariant(newLeader.Timeline ?? 0);

        // 2. PostgreSQL itself: pg_is_in_recovery() = false on the new leader.
        var primaryCheck = await CheckNotInRecoveryAsync(newLeader, deadline, cancellationToken);
        if (primaryCheck is not null)
        {
            return ActionOutcome.Failure(primaryCheck, Record(action, figures));
        }

        // 3. /history: the switchpoint of the new timeline (can take one loop to appear).
        var switchpoint = await SwitchpointAsync(before, deadline, cancellationToken);
        if (switchpoint is { } sp)
        {
            figures[ActionFigureKeys.SwitchpointLsn] = PgLsn.Format(sp);
        }

        // 4. The old leader: back as a replica on the new timeline, or flagged for fencing.
        var back = oldLeader is { Length: > 0 } && !string.Equals(oldLeader, "unknown", StringComparison.Ordinal)
            ? await WaitReplicaAsync(oldLeader, before + 1, deadline, cancellationToken)
            : (bool?)null;
        figures[ActionFigureKeys.FenceOldPrimary] = back == false ? "true" : "false";
        figures[ActionFigureKeys.OldLeaderState] = back switch { true => "replica", false => "not back", null => "unknown" };
        Record(action, figures);

        var summary = $"{candidate} leads on timeline {before} → {newLeader.Timeline}, pg_is_in_recovery() = false" +
                      (switchpoint is { } s2 ? $", switchpoint {PgLsn.Format(s2)}" : ", switchpoint not yet in /history") +
                      (Figure(action, ActionFigureKeys.OldLeaderLastLsn, null) is { } last && switchpoint is { } s3 && TryParseLsn(last, out var lastLsn) && lastLsn > s3
                          ? $"; the old leader had at least {PgLsn.Bytes(lastLsn - s3)} beyond it (lost)"
                          : string.Empty) +
                      back switch
                      {
                          true => $"; {oldLeader} is back as a replica.",
                          false => $"; ⚠ {oldLeader} has not come back as a replica within {_options.VerifyDeadline.TotalSeconds:0} s: FENCE it. {FenceExplanation}",
                          null => "; the old leader is unknown (no /history entry for this timeline), so it could not be checked: make sure it is fenced or rejoined.",
                      };
        Log.Verified(logger, candidate, newLeader.Timeline ?? 0, back == false);
        return ActionOutcome.Success(summary, figures);
    }

    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var candidate = Candidate(action);
        var oldLeader = Figure(action, ActionFigureKeys.OldLeader, LeaderParameter);
        var before = int.Parse(Figure(action, ActionFigureKeys.TimelineBefore, TimelineParameter) ?? "0", CultureInfo.InvariantCulture);

        // The bot may have died mid-switchover: right after a restart the cluster can be between leaders, or the old
        // leader not demoted yet. Only the candidate leading on a newer timeline settles it early; anything else is
        // read again until the verification deadline, so that an unfinished promotion is not reported as failed.
        var deadline = time.GetUtcNow() + _options.VerifyDeadline;
        var read = await ReadClusterAsync(cancellationToken);
        while (!(read.Cluster?.Leader is { IsRunning: true } l && l.Timeline > before)
               && time.GetUtcNow() <= deadline)
        {
            await Task.Delay(_options.PollInterval, time, cancellationToken);
            read = await ReadClusterAsync(cancellationToken);
        }

        if (read.Cluster is null)
        {
            return ActionOutcome.Failure($"After the restart /cluster could not be read ({read.Error}); whether the promotion happened is unknown. Nothing was re-sent.");
        }

        var leader = read.Cluster.Leader;
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (leader is not null && string.Equals(leader.Name, candidate, StringComparison.Ordinal) && leader.Timeline > before)
        {
            figures[ActionFigureKeys.NewLeader] = leader.Name;
            figures[ActionFigureKeys.TimelineAfter] = Invariant(leader.Timeline ?? 0);
            if (await SwitchpointAsync(before, time.GetUtcNow(), cancellationToken) is { } sp)
            {
                figures[ActionFigureKeys.SwitchpointLsn] = PgLsn.Format(sp);
            }

            return ActionOutcome.Success($"The promotion happened: {candidate} leads on timeline {leader.Timeline} (was {before}). Nothing was re-sent.", Record(action, figures));
        }

        if (leader is { IsRunning: true } && leader.Timeline > before)
        {
            figures[ActionFigureKeys.NewLeader] = leader.Name;
            figures[ActionFigureKeys.TimelineAfter] = Invariant(leader.Timeline ?? 0);
            figures[RequestedCandidateFigure] = candidate;
            return ActionOutcome.Success(
                $"A promotion happened, but to {leader.Name}, NOT the approved {candidate}: {leader.Name} leads on timeline {leader.Timeline} (was {before}). Nothing was re-sent; {leader.Name} is the member verified next.",
                Record(action, figures));
        }

        var now = leader is null ? "no leader" : $"leader {leader.Name} on timeline {leader.Timeline}";
        return ActionOutcome.Failure(
            string.Equals(leader?.Name, oldLeader, StringComparison.Ordinal) && leader?.Timeline == before
                ? $"The promotion did not happen: /cluster shows {now}, as before. Nothing was re-sent; propose it again if it is still needed."
                : $"/cluster shows {now}, not {candidate} on a newer timeline than {before}. Nothing was re-sent; check the cluster and propose again.");
    }

    private async Task<ActionOutcome> DecideFromRealityAsync(
        ActionRecord action, FailoverPlan plan, string candidate, string answer, Dictionary<string, string> figures, IProgress<string> progress, CancellationToken cancellationToken)
    {
        progress.Report($"The outcome is unknown ({answer}): the request may have reached Patroni, so reading /cluster until {_options.VerifyDeadline.TotalSeconds:0} s have passed; not re-sending.");
        var deadline = time.GetUtcNow() + _options.VerifyDeadline;
        var seen = "nothing";
        while (time.GetUtcNow() <= deadline)
        {
            var leader = (await ReadClusterAsync(cancellationToken)).Cluster?.Leader;
            seen = leader is null ? "no leader" : $"leader {leader.Name} on timeline {leader.Timeline}";
            if (leader is { IsRunning: true } && leader.Timeline > plan.Timeline)
            {
                return Promoted(action, plan, candidate, leader.Name, $"Patroni answered {answer}, but /cluster shows {seen}: the promotion happened", figures);
            }

            await Task.Delay(_options.PollInterval, time, cancellationToken);
        }

        return ActionOutcome.Failure($"Patroni answered {answer}; /cluster shows {seen} after {_options.VerifyDeadline.TotalSeconds:0} s: the promotion did not happen. Not retried blindly; check and propose again.", Record(action, figures));
    }

    private async Task<string?> CheckNotInRecoveryAsync(PatroniMember leader, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (!postgres.IsConfigured)
        {
            return $"{leader.Name} leads in /cluster, but pg_is_in_recovery() could not be checked: {PostgresConnector.NotConfigured}";
        }

        string last;
        while (true)
        {
            try
            {
                await using var connection = await postgres.OpenMemberAsync(leader.Host ?? "localhost", leader.Port ?? 5432, cancellationToken);
                await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
                if (await command.ExecuteScalarAsync(cancellationToken) is false)
                {
                    return null;
                }

                last = "pg_is_in_recovery() is still true";
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                last = SecretRedactor.Redact(ex.Message);
            }

            if (time.GetUtcNow() > deadline)
            {
                return $"{leader.Name} leads in /cluster, but PostgreSQL on {leader.Host}:{leader.Port} does not confirm it: {last}.";
            }

            await Task.Delay(_options.PollInterval, time, cancellationToken);
        }
    }

    private async Task<long?> SwitchpointAsync(int timelineBefore, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var member in patroni.Members)
            {
                var history = await patroni.GetHistoryAsync(member, cancellationToken);
                if (history.Value?.LastOrDefault(h => h.Timeline == timelineBefore) is { } entry)
                {
                    return entry.SwitchLsn;
                }
            }

            if (time.GetUtcNow() > deadline)
            {
                return null;
            }

            await Task.Delay(_options.PollInterval, time, cancellationToken);
        }
    }

    private async Task<bool> WaitReplicaAsync(string name, int timeline, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var member = (await ReadClusterAsync(cancellationToken)).Cluster?.Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
            if (member is { IsLeader: false, IsRunning: true } && member.Timeline == timeline)
            {
                return true;
            }

            if (time.GetUtcNow() > deadline)
            {
                return false;
            }

            await Task.Delay(_options.PollInterval, time, cancellationToken);
        }
    }

    private static PromotionState ApprovedState(ActionRecord action) => new(
        action.Parameters.GetValueOrDefault(ModeParameter) ?? "unknown",
        action.ObservedFingerprint,
        action.Parameters.TryGetValue(RiskParameter, out var risk)
            ? PromotionState.ParseRisks(risk)
            : action.RiskWarning is null ? PromotionState.ParseRisks(PromotionState.NoRisk) : null);

    private static PromotionState LiveState(FailoverPlan plan, string candidate, FailoverCandidate? c) =>
        new(ModeText(plan.Mode), FailoverPlanner.Fingerprint(plan, candidate), FailoverPlanner.RiskFlags(c));

    /// <summary>
    /// What the earlier POSTs of this execution did, for an outcome that stops before the next one: every answer, and
    /// how many POSTs may have reached Patroni (a connection never established does not count).
    /// </summary>
    private static Dictionary<string, string> Done(List<string> answers, int reached)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = Invariant(reached) };
        if (answers.Count > 0)
        {
            figures[PatroniAnswersFigure] = string.Join(" | ", answers);
        }

        return figures;
    }

    /// <summary>
    /// A promotion happened. When Patroni chose another member than the approved candidate (api.py: "… instead of
    /// …", or /cluster shows it), the outcome names the member it actually chose; VerifyAsync checks that one.
    /// </summary>
    private ActionOutcome Promoted(ActionRecord action, FailoverPlan plan, string candidate, string newLeader, string how, Dictionary<string, string> figures)
    {
        figures[ActionFigureKeys.NewLeader] = newLeader;
        if (string.Equals(newLeader, candidate, StringComparison.Ordinal))
        {
            return ActionOutcome.Success($"{ModeText(plan.Mode)} {plan.Leader ?? "(no leader)"} → {newLeader}: {how}.", Record(action, figures));
        }

        figures[RequestedCandidateFigure] = candidate;
        Log.OtherMemberPromoted(logger, candidate, newLeader);
        return ActionOutcome.Success(
            $"{ModeText(plan.Mode)} {plan.Leader ?? "(no leader)"} → {newLeader}, NOT the approved {candidate}: Patroni promoted {newLeader} instead ({how}). " +
            $"Its loss estimate was made for {candidate}; {newLeader} is the member verified next.",
            Record(action, figures));
    }

    /// <summary>/cluster from every configured member; prefers an answer that shows a leader.</summary>
    private async Task<(PatroniCluster? Cluster, string? Error)> ReadClusterAsync(CancellationToken cancellationToken)
    {
        var answers = await patroni.GetClusterFromAllAsync(cancellationToken);
        var ok = answers.Where(a => a.Value is not null).ToList();
        if (ok.Count == 0)
        {
            return (null, "no Patroni member answered /cluster (" +
                          string.Join("; ", answers.Select(a => $"{a.Member}: {SecretRedactor.Redact(a.Error ?? a.StatusCode?.ToString(CultureInfo.InvariantCulture))}")) + ")");
        }

        return (ok.FirstOrDefault(a => a.Value!.Leader is { IsRunning: true })?.Value ?? ok[0].Value, null);
    }

    private async Task<(FailoverPlan? Plan, PatroniCluster? Cluster, string? Error)> ReadPlanAsync(bool sampleWalRate, CancellationToken cancellationToken)
    {
        var (cluster, error) = await ReadClusterAsync(cancellationToken);
        if (cluster is null)
        {
            return (null, null, error);
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
        var replicas = cluster.Members.Where(m => !m.IsLeader).ToList();
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
            ? $"WAL rate {PgLsn.Bytes((long)r)}/s (two samples of the leader's LSN)."
            : "WAL rate unknown (the leader cannot be sampled), so the loss in time is unknown.";
        return $"{head} maximum_lag_on_failover {PgLsn.Bytes(plan.MaximumLagOnFailover)}; RPO 15 min. {rate}" +
               (plan.Paused ? " The cluster is paused (maintenance mode): Patroni will not fail over by itself." : string.Empty) +
               "\n" + FailoverPlanner.DescribeCandidates(plan);
    }

    private static string? ParseNewLeader(string body)
    {
        // 200 "Successfully failed over to "X"" / "Successfully switched over to "X"" / "Failed over to "Y" instead of "X"".
        var first = body.IndexOf('"', StringComparison.Ordinal);
        var second = first < 0 ? -1 : body.IndexOf('"', first + 1);
        return second > first ? body[(first + 1)..second] : null;
    }

    private static Dictionary<string, string> Record(ActionRecord action, Dictionary<string, string> figures)
    {
        foreach (var (key, value) in figures)
        {
            action.Figures[key] = value;
        }

        return figures;
    }

    private static string? Figure(ActionRecord action, string figure, string? parameter) =>
        action.Figures.TryGetValue(figure, out var v) && v.Length > 0 ? v
        : parameter is not null && action.Parameters.TryGetValue(parameter, out var p) && p.Length > 0 ? p
        : null;

    private static bool TryParseLsn(string text, out long lsn)
    {
        lsn = 0;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !ulong.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hi)
            || !ulong.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var lo))
        {
            return false;
        }

        lsn = (long)((hi << 32) | lo);
        return true;
    }

    private static string Answer(PatroniCommandResult result) =>
        result.StatusCode is { } code
            ? $"{code.ToString(CultureInfo.InvariantCulture)} \"{SecretRedactor.Redact(result.Body)}\""
            : SecretRedactor.Redact(result.Error ?? "no answer");

    private static string Candidate(ActionRecord action) =>
        action.Parameters.TryGetValue(CandidateArgument, out var c) ? c : action.Target;

    private static Uri? ApiRoot(string? apiUrl) =>
        Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) ? new Uri(uri, "/") : null;

    private static string ModeText(FailoverMode mode) => mode == FailoverMode.Switchover ? "switchover" : "failover";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed {Kind} to {Candidate} as a {Mode} (risk warning: {Risky})")]
        public static partial void Proposed(ILogger logger, RemediationKind kind, string candidate, string mode, bool risky);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Patroni {Mode} to {Candidate} answered {Status} in {ElapsedMs:0} ms")]
        public static partial void Answered(ILogger logger, string mode, string candidate, int status, double elapsedMs);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Verified {Candidate} leads on timeline {Timeline}; fence old leader: {Fence}")]
        public static partial void Verified(ILogger logger, string candidate, int timeline, bool fence);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Not promoting {Candidate} (attempt {Attempt}): the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string candidate, int attempt, string approved, string observed);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Patroni promoted {NewLeader} instead of the approved {Candidate}")]
        public static partial void OtherMemberPromoted(ILogger logger, string candidate, string newLeader);
    }
}
