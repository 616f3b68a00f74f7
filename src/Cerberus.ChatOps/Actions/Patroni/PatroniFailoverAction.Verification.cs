using System.Globalization;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Timing;
using Npgsql;
using NpgsqlTypes;

namespace Cerberus.ChatOps.Actions.Patroni;

internal sealed partial class PatroniFailoverAction
{
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
        var deadline = Poll.Deadline(time, _options.VerifyDeadline);
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);

        // 1. /cluster: the candidate leads, running, on timeline + 1 (a read that fails keeps the last reality seen).
        var reality = "no answer from /cluster";
        var leading = await Poll.UntilAsync(time, deadline, _options.PollInterval, async ct =>
        {
            var cluster = (await ReadClusterAsync(ct)).Cluster;
            reality = cluster?.Leader is { } leader ? $"leader {leader.Name} ({leader.State}, timeline {leader.Timeline})"
                : cluster is not null ? "no leader"
                : reality;
            return cluster;
        }, c => c?.Leader is { IsRunning: true } l && string.Equals(l.Name, candidate, StringComparison.Ordinal) && l.Timeline == before + 1, cancellationToken);
        if (!leading.Converged)
        {
            return ActionOutcome.Failure($"Not verified within {Durations.Format(_options.VerifyDeadline)}: expected {candidate} running as leader on timeline {before + 1}; /cluster shows {reality}.");
        }

        var newLeader = leading.Last!.Leader!;
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
                          ? $"; the old leader had at least {ByteSize.Format(lastLsn - s3)} beyond it (lost)"
                          : string.Empty) +
                      back switch
                      {
                          true => $"; {oldLeader} is back as a replica.",
                          false => $"; ⚠ {oldLeader} has not come back as a replica within {Durations.Format(_options.VerifyDeadline)}: FENCE it. {FenceExplanation}",
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
        var read = (await Poll.UntilAsync(time, _options.VerifyDeadline, _options.PollInterval, ReadClusterAsync,
            r => r.Cluster?.Leader is { IsRunning: true } l && l.Timeline > before, cancellationToken)).Last;
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
            if (await FindSwitchpointAsync(before, cancellationToken) is { } sp)
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

    private async Task<string?> CheckNotInRecoveryAsync(PatroniMember leader, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (!postgres.IsConfigured)
        {
            return $"{leader.Name} leads in /cluster, but pg_is_in_recovery() could not be checked: {PostgresConnector.NotConfigured}";
        }

        var polled = await Poll.UntilAsync(time, deadline, _options.PollInterval, ct => StillInRecoveryAsync(leader, ct), why => why is null, cancellationToken);
        return polled.Converged ? null : $"{leader.Name} leads in /cluster, but PostgreSQL on {leader.Host}:{leader.Port} does not confirm it: {polled.Last}.";
    }

    /// <summary>Null when PostgreSQL on the member answers pg_is_in_recovery() = false; otherwise why not.</summary>
    private async Task<string?> StillInRecoveryAsync(PatroniMember leader, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await postgres.OpenMemberAsync(leader.Host ?? "localhost", leader.Port ?? 5432, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is false ? null : "pg_is_in_recovery() is still true";
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return SecretRedactor.Redact(ex.Message);
        }
    }

    private async Task<long?> SwitchpointAsync(int timelineBefore, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        (await Poll.UntilAsync(time, deadline, _options.PollInterval, ct => FindSwitchpointAsync(timelineBefore, ct), sp => sp is not null, cancellationToken)).Last;

    /// <summary>One look at every member's /history for the switchpoint that ended <paramref name="timelineBefore"/>.</summary>
    private async Task<long?> FindSwitchpointAsync(int timelineBefore, CancellationToken cancellationToken)
    {
        foreach (var member in patroni.Members)
        {
            var history = await patroni.GetHistoryAsync(member, cancellationToken);
            if (history.Value?.LastOrDefault(h => h.Timeline == timelineBefore) is { } entry)
            {
                return entry.SwitchLsn;
            }
        }

        return null;
    }

    private async Task<bool> WaitReplicaAsync(string name, int timeline, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        (await Poll.UntilAsync(time, deadline, _options.PollInterval,
            async ct => (await ReadClusterAsync(ct)).Cluster?.Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal)),
            m => m is { IsLeader: false, IsRunning: true } && m.Timeline == timeline, cancellationToken)).Converged;

    private static bool TryParseLsn(string text, out long lsn)
    {
        var parsed = NpgsqlLogSequenceNumber.TryParse(text, out var value);
        lsn = parsed ? (long)(ulong)value : 0;
        return parsed;
    }
}
