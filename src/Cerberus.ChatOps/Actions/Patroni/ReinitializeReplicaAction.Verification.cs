using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Timing;

namespace Cerberus.ChatOps.Actions.Patroni;

internal sealed partial class ReinitializeReplicaAction
{
    /// <summary>
    /// Within VerifyDeadline: the member runs as a replica (/cluster), on the leader's timeline, with a streaming row in
    /// the leader's pg_stat_replication whose replay lag is under <see cref="Diagnostics.Postgres.PostgresOptions.ReplicaLagWarnBytes"/>.
    /// </summary>
    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("dry run: nothing ran, nothing to verify.");
        }

        var name = Member(action);
        var polled = await Poll.UntilAsync(time, _options.VerifyDeadline, _options.PollInterval,
            ct => CheckAsync(name, ct), check => check.Problem is null, cancellationToken);
        var last = polled.Last;
        if (!polled.Converged)
        {
            return ActionOutcome.Failure($"Not verified within {Durations.Format(_options.VerifyDeadline)}: {last.Problem}.", last.Figures);
        }

        Log.Verified(logger, name, last.Timeline, last.LagBytes);
        return ActionOutcome.Success(last.Text, last.Figures);
    }

    private async Task<Check> CheckAsync(string name, CancellationToken cancellationToken)
    {
        var (plan, error) = await ReadPlanAsync(cancellationToken);
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (plan is null)
        {
            return new(error, string.Empty, 0, 0, figures);
        }

        var member = plan.Cluster.Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
        if (member is null || member.IsLeader)
        {
            return new($"{name} is {(member is null ? "not a member of /cluster" : "the leader")} now", string.Empty, 0, 0, figures);
        }

        if (member.Timeline is { } tl)
        {
            figures[ActionFigureKeys.TimelineAfter] = tl.ToString(CultureInfo.InvariantCulture);
        }

        var leaderTimeline = plan.Timeline;
        if (!member.IsRunning || member.Timeline is null || member.Timeline != leaderTimeline)
        {
            return new($"expected {name} running on the leader's timeline {leaderTimeline?.ToString(CultureInfo.InvariantCulture) ?? "?"}; /cluster shows it {(string.IsNullOrEmpty(member.State) ? "in no state" : member.State)} on timeline {member.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}",
                string.Empty, 0, 0, figures);
        }

        if (!plan.Replication.Readable)
        {
            return new($"{name} runs on timeline {member.Timeline}, but the leader's pg_stat_replication could not be read ({plan.Replication.Error})", string.Empty, 0, 0, figures);
        }

        if (plan.Replication.StreamingFrom(name) is not { } streaming)
        {
            var connection = plan.Replication.ConnectionOf(name);
            var slotName = Postgres.SlotPolicy.PatroniSlotName(name);
            var slotMissing = plan.UseSlots && plan.Replication.Slot(slotName) is null
                ? $" (its slot {slotName} is missing on {plan.Leader.Name}, and Patroni 3.0.2 does not re-create a member slot dropped behind its back until its PostgreSQL restarts or the cluster is paused)"
                : string.Empty;
            return new($"{name} runs on timeline {member.Timeline}, but pg_stat_replication on {plan.Leader.Name} {(connection is null ? "has no connection from it" : $"shows it {connection.State}, not streaming")}{slotMissing}",
                string.Empty, 0, 0, figures);
        }

        if (streaming.ReplayLagBytes is not { } lag || lag >= LagThreshold)
        {
            return new($"{name} streams on timeline {member.Timeline}, but its replay lag is {(streaming.ReplayLagBytes is { } l ? ByteSize.Format(l) : "unknown")}, not under {ByteSize.Format(LagThreshold)} (Cerberus:Postgres:ReplicaLagWarnBytes)",
                string.Empty, 0, 0, figures);
        }

        var slot = plan.UseSlots && plan.Replication.Slot(Postgres.SlotPolicy.PatroniSlotName(name)) is { } s
            ? $"; its slot {s.Name} is {(s.Active ? "active" : "inactive")}"
            : string.Empty;
        var text = $"{name} runs as a replica on timeline {member.Timeline} (the leader's), streams in pg_stat_replication on {plan.Leader.Name} ({streaming.SyncState}), " +
                   $"replay {ByteSize.Format(lag)} behind (under {ByteSize.Format(LagThreshold)}){slot}.";
        return new(null, text, member.Timeline.Value, lag, figures);
    }

    /// <summary>One look at the rebuilt member: <see cref="Problem"/> is null when every condition holds.</summary>
    private sealed record Check(string? Problem, string Text, int Timeline, long LagBytes, Dictionary<string, string> Figures);
}
