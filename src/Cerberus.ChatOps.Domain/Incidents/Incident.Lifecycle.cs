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
            return DomainResult.Refused(_state is IncidentState.Executing or IncidentState.Verifying
                ? $"An action is running ({RunningAction?.Kind}); resolve once it is verified."
                : $"{Id} is already {_state}.");
        }

        var outstanding = OutstandingUndo;
        if (outstanding.Count > 0 && !force)
        {
            var list = string.Join("; ", outstanding.Select(a => $"{a.Kind} on {a.Target} ({a.Id}) is not undone"));
            return DomainResult.Refused($"Not resolved: {list}. Undo it first, or `/dbincident resolve --force <root cause>` to resolve anyway.");
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
        return Fire(IncidentTrigger.Resolve, actor, at, "resolve");
    }

    public DomainResult EditRootCause(string actor, string rootCause, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(rootCause))
        {
            return DomainResult.Refused("The root cause cannot be empty.");
        }

        RootCause = rootCause.Trim();
        _timeline.Add(new TimelineEntry(at, TimelineKind.Note, actor, $"root cause set: {RootCause}"));
        return DomainResult.Ok("Root cause recorded.");
    }

    public DomainResult Cancel(string actor, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.Cancel, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!_machine.CanFire(IncidentTrigger.Cancel))
        {
            return DomainResult.Refused(_state is IncidentState.Executing or IncidentState.Verifying
                ? "An action is running; it cannot be cancelled halfway. Resolve the incident once it is verified."
                : $"{Id} is already {_state}.");
        }

        foreach (var pending in _actions.Where(a => a.Status == ActionStatus.Proposed))
        {
            pending.Status = ActionStatus.Superseded;
            pending.DecidedAt = at;
            pending.Outcome = "incident cancelled";
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Cancellation, actor, "incident cancelled"));
        return Fire(IncidentTrigger.Cancel, actor, at, "cancel");
    }

    public DomainResult Close(string actor, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.Close, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!_machine.CanFire(IncidentTrigger.Close))
        {
            return DomainResult.Refused($"{Id} is {_state}; only a resolved incident can be closed.");
        }

        ClosedAt = at;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Closure, actor, "incident closed"));
        return Fire(IncidentTrigger.Close, actor, at, "close");
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
