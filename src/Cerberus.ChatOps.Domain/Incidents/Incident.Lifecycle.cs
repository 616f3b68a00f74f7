using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Incidents;

public sealed partial class Incident
{
    /// <summary>
    /// Resolves the incident. Refused while an action runs, and (unless <paramref name="force"/>) while a change is
    /// not undone, so nobody walks away with the backend scaled to zero.
    /// </summary>
    public DomainResult Resolve(string actor, string? rootCause, bool force, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.Resolve, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!_machine.CanFire(IncidentTrigger.Resolve))
        {
            return _state is IncidentState.Executing or IncidentState.Verifying
                ? new Refusal.ActionRunning(RunningAction?.Kind, IncidentOperation.Resolve)
                : new Refusal.NotInThisState(Id, _state, IncidentOperation.Resolve);
        }

        var outstanding = OutstandingUndo;
        if (outstanding.Count > 0 && !force)
        {
            return new Refusal.ChangesNotUndone([.. outstanding.Select(a => new Refusal.PendingUndo(a.Id, a.Kind, a.Target))]);
        }

        foreach (var pending in _actions.Where(a => a.Status == ActionStatus.Proposed))
        {
            pending.Status = ActionStatus.Superseded;
            pending.DecidedAt = at;
            pending.Outcome = "incident resolved before a decision";
        }

        if (!string.IsNullOrWhiteSpace(rootCause))
        {
            RootCause = rootCause.Trim();
        }

        ResolvedAt = at;
        MitigatedAt ??= at;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Resolution, actor,
            $"resolved{(RootCause is null ? string.Empty : ": " + RootCause)}{(outstanding.Count > 0 ? " (forced with changes not undone)" : string.Empty)}"));
        return Fire(IncidentTrigger.Resolve, actor, at);
    }

    public DomainResult Cancel(string actor, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.Cancel, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!_machine.CanFire(IncidentTrigger.Cancel))
        {
            return _state is IncidentState.Executing or IncidentState.Verifying
                ? new Refusal.ActionRunning(RunningAction?.Kind, IncidentOperation.Cancel)
                : new Refusal.NotInThisState(Id, _state, IncidentOperation.Cancel);
        }

        foreach (var pending in _actions.Where(a => a.Status == ActionStatus.Proposed))
        {
            pending.Status = ActionStatus.Superseded;
            pending.DecidedAt = at;
            pending.Outcome = "incident cancelled";
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Cancellation, actor, "incident cancelled"));
        return Fire(IncidentTrigger.Cancel, actor, at);
    }

    public DomainResult Close(string actor, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.Close, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!_machine.CanFire(IncidentTrigger.Close))
        {
            return new Refusal.NotInThisState(Id, _state, IncidentOperation.Close);
        }

        ClosedAt = at;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Closure, actor, "incident closed"));
        return Fire(IncidentTrigger.Close, actor, at);
    }

    public void AttachReport(string markdown) => ReportMarkdown = markdown;

    public void MoveToChannel(string channel) => Channel = channel;

    /// <summary>Marks the incident as waiting for its own channel (see <see cref="ChannelPending"/>).</summary>
    public void AwaitChannel() => ChannelPending = true;

    /// <summary>
    /// Records, once, where an incident that waited for its own channel is worked: moved to <paramref name="channel"/>,
    /// or (null) left in the declaring channel's thread; <paramref name="note"/> says which and why. False when
    /// nothing was pending (already recorded, or never asked for), and then nothing changes.
    /// </summary>
    public bool SettleChannel(string? channel, string note, DateTimeOffset at)
    {
        if (!ChannelPending)
        {
            return false;
        }

        ChannelPending = false;
        if (channel is not null)
        {
            MoveToChannel(channel);
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Note, BotActor, note));
        return true;
    }

    /// <summary>Records an RTO reminder once; false when that reminder was already sent.</summary>
    public bool RecordReminder(int percent, DateTimeOffset at)
    {
        if (_remindersSent.Contains(percent))
        {
            return false;
        }

        _remindersSent.Add(percent);
        _timeline.Add(new TimelineEntry(at, TimelineKind.Reminder, BotActor, $"{percent}% of the 4 h RTO elapsed"));
        return true;
    }
}
