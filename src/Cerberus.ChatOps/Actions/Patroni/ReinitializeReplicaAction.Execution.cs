using System.Globalization;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

internal sealed partial class ReinitializeReplicaAction
{
    /// <summary>Figure: whether the action created the member's slot on the leader before the POST.</summary>
    private const string SlotCreatedFigure = "slot_created";

    /// <summary>How often the leader's pg_stat_progress_basebackup is read while the member copies.</summary>
    private static readonly TimeSpan CopyProgressInterval = TimeSpan.FromSeconds(5);

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var name = Member(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"dry run: would POST /reinitialize {{\"force\": false}} on {name}; nothing was sent.");
        }

        // Just before each side effect: the leader, its health and timeline, and the member's need must be the approved ones.
        var (plan, error) = await ReadPlanAsync(cancellationToken);
        if (plan is null)
        {
            return ActionOutcome.Failure($"Nothing was sent: {error}", Done(0));
        }

        if (Drift(action, plan, name, 0, progress) is { } drifted)
        {
            return drifted;
        }

        var figures = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ActionFigureKeys.BytesToCopy] = plan.Replication.DatabaseBytes is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) : "unknown",
        };
        var done = 0;
        if (plan.Find(name)!.Reasons.Contains(ReinitPlanner.SlotMissing))
        {
            // Patroni 3.0.2 notices a member slot dropped behind its back only with permanent logical slots, after a
            // restart or a pause: without the slot the rebuilt member could not stream either.
            var slot = SlotPolicy.PatroniSlotName(name);
            progress.Report($"Creating {name}'s slot {slot} on {plan.Leader.Name} first (Patroni 3.0.2 does not re-create a member slot dropped behind its back)…");
            var (created, slotError) = await replication.CreateMemberSlotAsync(plan.Leader, slot, cancellationToken);
            if (slotError is not null)
            {
                return ActionOutcome.Failure($"Nothing was sent to Patroni: {slotError}.", Record(action, Done(0)));
            }

            done += created ? 1 : 0;
            figures[ActionFigureKeys.SlotName] = slot;
            figures[SlotCreatedFigure] = created ? "true" : "false (it existed by then)";
            figures[ActionOutcome.SideEffectsDoneFigure] = done.ToString(CultureInfo.InvariantCulture);
            Record(action, figures);

            (plan, error) = await ReadPlanAsync(cancellationToken);
            if (plan is null)
            {
                return ActionOutcome.Failure($"Slot {slot} was created on the leader; then nothing more was sent: {error}", figures);
            }

            if (Drift(action, plan, name, done, progress) is { } again)
            {
                return again;
            }
        }

        var member = plan.Find(name)!.Member;
        if (ApiRoot(member.ApiUrl) is not { } api)
        {
            return ActionOutcome.Failure($"Nothing was sent to Patroni: {name} has no usable api_url in /cluster now.", Record(action, Done(done)));
        }

        var before = (await patroni.GetStatusAsync(api, cancellationToken)).Value?.PostmasterStartTime;
        progress.Report($"POST {new Uri(api, "reinitialize")} {{\"force\": false}} for {name}…");
        var result = await patroni.ReinitializeAsync(api, force: false, cancellationToken);
        var answer = Answer(result);
        Log.Answered(logger, name, result.StatusCode ?? 0, result.Elapsed.TotalMilliseconds);
        figures[PatroniAnswerFigure] = answer;
        figures[ActionOutcome.SideEffectsDoneFigure] = (done + (result.NotSent ? 0 : 1)).ToString(CultureInfo.InvariantCulture);
        Record(action, figures);

        if (result.NotSent)
        {
            return ActionOutcome.Failure($"Could not reach {api}: {answer}. Nothing was sent to Patroni; propose again once it answers.", figures);
        }

        // Patroni 3.0.2 answers 503 only from ha.reinitialize, before it schedules anything: certain, like any 4xx.
        if (result.StatusCode is { } code and not 200 and (< 500 or 503))
        {
            return ActionOutcome.Failure($"Patroni on {name} refused: {answer}. {Refused(name, result)}", figures);
        }

        if (result.StatusCode != 200)
        {
            progress.Report($"The outcome is unknown ({answer}): the request may have reached Patroni, so watching {name}'s state for {Durations.Format(_options.VerifyDeadline)}; not re-sending.");
        }

        var watched = await WatchAsync(name, api, plan.Leader, before, result.StatusCode == 200, progress, cancellationToken);
        figures[ActionFigureKeys.MemberStates] = watched.Path;
        figures[ActionFigureKeys.DurationSeconds] = watched.Elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        Record(action, figures);
        if (watched.Done)
        {
            Log.Rebuilt(logger, name, watched.Elapsed.TotalMilliseconds, watched.Path);
            return ActionOutcome.Success($"Patroni answered {answer}; {name} was rebuilt from {plan.Leader.Name} in {Durations.Format(watched.Elapsed)}: {watched.Path}.", figures);
        }

        return ActionOutcome.Failure(
            !watched.Moved && result.StatusCode != 200
                ? $"Patroni answered {answer}, and {name} showed no sign of a rebuild within {Durations.Format(_options.VerifyDeadline)} ({watched.Path}): it most likely did not start. Not re-sent; check `patronictl list` and propose again."
                : $"Patroni answered {answer}, but {name} is not back as a running replica after {Durations.Format(watched.Elapsed)}: {watched.Path}. " +
                  "Patroni goes on by itself (a failed clone empties the data directory and its HA loop bootstraps the member again from the leader); watch `patronictl list` and its log.",
            figures);
    }

    /// <summary>
    /// After a restart: never POSTs again. A member that is a working replica is done; one Patroni is still working on
    /// is watched; one that still needs a rebuild and shows no movement is reported (whether the POST reached Patroni
    /// is unknown).
    /// </summary>
    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var name = Member(action);
        var (plan, error) = await ReadPlanAsync(cancellationToken);
        if (plan is null)
        {
            return ActionOutcome.Failure($"After the restart the cluster could not be read ({error}); whether {name} was rebuilt is unknown. Nothing was re-sent.");
        }

        if (plan.Find(name) is not { } condition)
        {
            return ActionOutcome.Failure($"After the restart {name} is {(string.Equals(plan.Leader.Name, name, StringComparison.Ordinal) ? "the leader" : "no member of /cluster")}. Nothing was re-sent; check the cluster.");
        }

        if (condition.Healthy)
        {
            return ActionOutcome.Success($"After the restart {name} is a working replica: {string.Join("; ", condition.Findings)}. Nothing was re-sent.");
        }

        if (ApiRoot(condition.Member.ApiUrl) is not { } api)
        {
            return ActionOutcome.Failure($"After the restart {name} still needs a rebuild ({string.Join("; ", condition.Findings)}) and has no usable api_url. Nothing was re-sent.");
        }

        var watched = await WatchAsync(name, api, plan.Leader, null, condition.InProgress, progress, cancellationToken);
        return watched.Done
            ? ActionOutcome.Success($"After the restart {name} finished its rebuild: {watched.Path}. Nothing was re-sent.",
                new Dictionary<string, string>(StringComparer.Ordinal) { [ActionFigureKeys.MemberStates] = watched.Path })
            : ActionOutcome.Failure($"After the restart {name} is not rebuilt ({watched.Path}; {string.Join("; ", condition.Findings)}); whether the POST reached Patroni before the restart is unknown. Nothing was re-sent; propose again.");
    }

    /// <summary>
    /// Follows the member's own /patroni state (or its /cluster entry when /patroni does not answer) until it runs as a
    /// replica again after having moved (left running, or a new postmaster start time). Each change goes to
    /// <paramref name="progress"/> as the whole path so far (the thread shows the latest), with the copy's progress on
    /// the leader while it is "creating replica". <paramref name="started"/> false: the POST's outcome is unknown, so
    /// with no movement within VerifyDeadline it stops.
    /// </summary>
    private async Task<Watched> WatchAsync(string name, Uri api, PatroniMember leader, string? startTimeBefore, bool started, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var t0 = time.GetTimestamp();
        var path = new List<string>();
        string? last = null;
        var moved = false;
        TimeSpan? copyRead = null;
        var deadline = time.GetUtcNow() + _options.ReinitializeTimeout;
        var startDeadline = time.GetUtcNow() + _options.VerifyDeadline;
        while (true)
        {
            var (state, role, startTime) = await ReadMemberAsync(name, api, cancellationToken);
            var elapsed = time.GetElapsedTime(t0);
            var shown = state ?? "no answer";
            if (!string.Equals(shown, last, StringComparison.Ordinal))
            {
                path.Add(path.Count == 0 ? shown : $"{shown} at {Durations.Format(elapsed)}");
                last = shown;
                progress.Report($"{name}: {string.Join(" → ", path)}");
            }

            moved |= (state is not null && state != "running")
                     || (startTime is not null && startTimeBefore is not null && !string.Equals(startTime, startTimeBefore, StringComparison.Ordinal));
            if (moved && state == "running" && role is "replica" or "sync_standby")
            {
                return new(true, true, string.Join(" → ", path), elapsed);
            }

            if (state == "creating replica" && (copyRead is not { } read || elapsed - read >= CopyProgressInterval))
            {
                copyRead = elapsed;
                if (await replication.ReadBasebackupAsync(leader, cancellationToken) is { } copy)
                {
                    progress.Report($"{name}: {string.Join(" → ", path)}; pg_basebackup from {leader.Name}: {copy.Phase}, {ByteSize.Format(copy.StreamedBytes)}" +
                                    (copy.TotalBytes is { } total and > 0 ? $" of {ByteSize.Format(total)} ({100.0 * copy.StreamedBytes / total:0} %)" : " (total not estimated yet)"));
                }
            }

            var now = time.GetUtcNow();
            if (now >= deadline || !started && !moved && now >= startDeadline)
            {
                return new(false, moved, string.Join(" → ", path), elapsed);
            }

            await Task.Delay(_options.PollInterval, time, cancellationToken);
        }
    }

    /// <summary>The member's state, role and postmaster start time from its own /patroni; its /cluster entry when /patroni does not answer.</summary>
    private async Task<(string? State, string? Role, string? StartTime)> ReadMemberAsync(string name, Uri api, CancellationToken cancellationToken)
    {
        if ((await patroni.GetStatusAsync(api, cancellationToken)).Value is { } status)
        {
            return (status.State, status.Role, status.PostmasterStartTime);
        }

        var cluster = PatroniCluster.Believed(await patroni.GetClusterFromAllAsync(cancellationToken));
        var member = cluster?.Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
        return (member?.State, member is null ? null : member.IsLeader ? "leader" : "replica", null);
    }

    /// <summary>The re-check before a side effect: null when the live fingerprint is the approved one, else the StateChanged outcome.</summary>
    private ActionOutcome? Drift(ActionRecord action, ReinitPlan plan, string name, int done, IProgress<string> progress)
    {
        var observed = ReinitPlanner.Fingerprint(plan, name);
        if (string.Equals(observed, action.ObservedFingerprint, StringComparison.Ordinal))
        {
            return null;
        }

        Log.StateChanged(logger, name, action.ObservedFingerprint, observed);
        progress.Report($"Not sending POST /reinitialize to {name}: the state changed since the approval ({action.ObservedFingerprint} → {observed}). A fresh approval is needed.");
        return ActionOutcome.StateChanged(action.ObservedFingerprint, observed, Done(done));
    }

    /// <summary>What a refusal means (the 503 texts of 3.0.2 ha.py reinitialize).</summary>
    private static string Refused(string name, PatroniCommandResult result) =>
        result.StatusCode switch
        {
            401 => "Check Cerberus:Patroni:Username and Password. Nothing was started.",
            403 => "The REST API refused this client (allowlist or client certificate). Nothing was started.",
            503 when result.Body.EndsWith("already in progress", StringComparison.Ordinal) =>
                $"Patroni is already running that on {name}; the bot does not cancel it (force=false). Nothing new was started: watch `patronictl list` and propose again if it does not recover.",
            503 when result.Body.StartsWith("I am the leader", StringComparison.Ordinal) =>
                $"{name} holds the leader lock now: the roles changed after the re-check. Nothing was started.",
            503 when result.Body.StartsWith("Cluster has no leader", StringComparison.Ordinal) =>
                "The leader key is gone: the cluster lost its leader after the re-check. Nothing was started.",
            _ => "Nothing was started; not retried.",
        };

    private static Dictionary<string, string> Done(int posts) =>
        new(StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = posts.ToString(CultureInfo.InvariantCulture) };

    private static Dictionary<string, string> Record(ActionRecord action, Dictionary<string, string> figures)
    {
        foreach (var (key, value) in figures)
        {
            action.Figures[key] = value;
        }

        return figures;
    }

    private static string Answer(PatroniCommandResult result) =>
        result.StatusCode is { } code
            ? $"{code.ToString(CultureInfo.InvariantCulture)} \"{SecretRedactor.Redact(result.Body)}\""
            : SecretRedactor.Redact(result.Error ?? "no answer");

    /// <summary>What the watch saw: whether the member is back as a running replica after moving, the path of its states, how long.</summary>
    private sealed record Watched(bool Done, bool Moved, string Path, TimeSpan Elapsed);
}
