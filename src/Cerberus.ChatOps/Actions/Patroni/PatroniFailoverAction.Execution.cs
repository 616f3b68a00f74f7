using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Timing;

namespace Cerberus.ChatOps.Actions.Patroni;

internal sealed partial class PatroniFailoverAction
{
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
            progress.Report($"Patroni answered {answer} in {Durations.Format(result.Elapsed)}.");

            if (result.StatusCode == 200)
            {
                var newLeader = ParseNewLeader(result.Body) ?? candidate;
                return Promoted(action, plan, candidate, newLeader, $"Patroni answered {answer} after {Durations.Format(time.GetElapsedTime(started))}", figures);
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
                    progress.Report($"Patroni found no good candidate, which is transient right after a member rejoins: re-reading /cluster and trying once more in {Durations.Format(wait)} (loop_wait), only if the state is still the approved one.");
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

    private async Task<ActionOutcome> DecideFromRealityAsync(
        ActionRecord action, FailoverPlan plan, string candidate, string answer, Dictionary<string, string> figures, IProgress<string> progress, CancellationToken cancellationToken)
    {
        progress.Report($"The outcome is unknown ({answer}): the request may have reached Patroni, so reading /cluster until {Durations.Format(_options.VerifyDeadline)} have passed; not re-sending.");
        var polled = await Poll.UntilAsync(time, _options.VerifyDeadline, _options.PollInterval,
            async ct => (await ReadClusterAsync(ct)).Cluster,
            cluster => cluster?.Leader is { IsRunning: true } leader && leader.Timeline > plan.Timeline, cancellationToken);
        if (polled.Last is not { } read)
        {
            // Not even the last read answered: nothing says whether the promotion happened, so nothing may be proposed on it.
            return ActionOutcome.Failure(
                $"Patroni answered {answer}, and no member answered /cluster for {Durations.Format(_options.VerifyDeadline)}: the outcome is unknown. " +
                "Do not propose again until `patronictl list` (or /cluster) shows who leads.",
                Record(action, figures));
        }

        var seen = read.Leader is { } last ? $"leader {last.Name} on timeline {last.Timeline}" : "no leader";
        if (polled.Converged)
        {
            return Promoted(action, plan, candidate, read.Leader!.Name, $"Patroni answered {answer}, but /cluster shows {seen}: the promotion happened", figures);
        }

        return ActionOutcome.Failure($"Patroni answered {answer}; /cluster shows {seen} after {Durations.Format(_options.VerifyDeadline)}: the promotion did not happen. Not retried blindly; check and propose again.", Record(action, figures));
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

    private static string? ParseNewLeader(string body)
    {
        // 200 "Successfully failed over to "X"" / "Successfully switched over to "X"" / "Failed over to "Y" instead of "X"".
        var first = body.IndexOf('"', StringComparison.Ordinal);
        var second = first < 0 ? -1 : body.IndexOf('"', first + 1);
        return second > first ? body[(first + 1)..second] : null;
    }

    private static string Answer(PatroniCommandResult result) =>
        result.StatusCode is { } code
            ? $"{code.ToString(CultureInfo.InvariantCulture)} \"{SecretRedactor.Redact(result.Body)}\""
            : SecretRedactor.Redact(result.Error ?? "no answer");
}
