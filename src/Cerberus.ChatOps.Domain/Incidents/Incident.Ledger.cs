using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Incidents;

public sealed partial class Incident
{
    /// <summary>
    /// Records a proposal and supersedes the pending card. Only the commander and the roster propose; the bot's own
    /// re-proposal after a drift (<see cref="ActionRecord.ReproposalOf"/>) keeps the human proposer of the card it replaces.
    /// </summary>
    public DomainResult ProposeAction(ActionRecord action, ApprovalPolicy policy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(policy);
        var reproposal = action.ReproposalOf is { } replaced && FindAction(replaced) is { IsFinal: true, Status: not ActionStatus.Succeeded };
        if (!reproposal && Authorize(IncidentOperation.Propose, action.ProposedBy, policy, at, action.Id) is { } refused)
        {
            return refused;
        }

        if (FindAction(action.Id) is not null)
        {
            return new Refusal.AlreadyProposed(action.Id);
        }

        if (!_machine.CanFire(IncidentTrigger.ProposeAction))
        {
            return _state switch
            {
                IncidentState.Executing or IncidentState.Verifying => new Refusal.ActionRunning(RunningAction?.Kind, IncidentOperation.Propose),
                IncidentState.Diagnosing => new Refusal.DiagnosticsRunning(IncidentOperation.Propose),
                _ => new Refusal.NotInThisState(Id, _state, IncidentOperation.Propose),
            };
        }

        // Only the roster replaces a card someone may be reading right now; the commander rejects it first.
        if (!reproposal && !Drill && PendingApproval is { } waiting && !policy.IsOnRoster(action.ProposedBy)
            && !string.Equals(action.ProposedBy, BotActor, StringComparison.Ordinal))
        {
            AddRefusal(at, action.ProposedBy, $"refused: supersede the pending card {waiting.Id} (not on the approver roster)", action.Id);
            return new Refusal.CardWaiting(waiting.Id, waiting.Kind, waiting.Target);
        }

        foreach (var pending in _actions.Where(a => a.Status == ActionStatus.Proposed))
        {
            pending.Status = ActionStatus.Superseded;
            pending.DecidedAt = at;
            pending.Outcome = $"superseded by {action.Id}";
        }

        _actions.Add(action);
        _timeline.Add(reproposal
            ? new TimelineEntry(at, TimelineKind.Proposal, BotActor,
                $"re-proposed {action.Kind} on {action.Target} after the state changed (replaces {action.ReproposalOf}; proposer of record @{action.ProposedBy})", action.Id)
            : new TimelineEntry(at, TimelineKind.Proposal, action.ProposedBy,
                $"proposed {(action.DryRun ? "(dry run) " : string.Empty)}{action.Kind} on {action.Target}", action.Id));
        return Fire(IncidentTrigger.ProposeAction, reproposal ? BotActor : action.ProposedBy, at);
    }

    public DomainResult Approve(string actionId, string approver, bool riskAccepted, ApprovalPolicy policy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var action = FindAction(actionId);
        if (action is null)
        {
            return new Refusal.NoSuchAction(Id, actionId);
        }

        if (action.Status != ActionStatus.Proposed)
        {
            return Refusal.AlreadyDecided.Of(action);
        }

        if (at > action.ExpiresAt)
        {
            ExpireApprovals(at);
            return new Refusal.ApprovalExpired(action.ExpiresAt);
        }

        if (!Drill && policy.Roster.Count == 0)
        {
            AddRefusal(at, approver, $"approval of {action.Kind} refused: the approver roster is empty", action.Id);
            return new Refusal.RosterEmpty();
        }

        if (!policy.May(IncidentOperation.Approve, approver, Commander, Drill))
        {
            AddRefusal(at, approver, $"approval of {action.Kind} refused: not on the approver roster", action.Id);
            return new Refusal.NotOnRoster();
        }

        if (policy.NeedsSecondPerson(action, Drill) && string.Equals(approver, action.ProposedBy, StringComparison.Ordinal))
        {
            AddRefusal(at, approver, $"approval of {action.Kind} refused: two-person rule", action.Id);
            return new Refusal.SecondPersonNeeded(action.ProposedBy);
        }

        if (action.RiskWarning is not null && !riskAccepted)
        {
            return new Refusal.RiskNotAccepted(action.RiskWarning);
        }

        if (!_machine.CanFire(IncidentTrigger.Approve))
        {
            return new Refusal.NotInThisState(Id, _state, IncidentOperation.Approve);
        }

        action.Status = ActionStatus.Approved;
        action.DecidedBy = approver;
        action.DecidedAt = at;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Approval, approver,
            $"approved {action.Kind} on {action.Target}{(riskAccepted && action.RiskWarning is not null ? " accepting: " + action.RiskWarning : string.Empty)}", action.Id));
        return Fire(IncidentTrigger.Approve, approver, at);
    }

    public DomainResult Reject(string actionId, string user, ApprovalPolicy policy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var action = FindAction(actionId);
        if (action is null)
        {
            return new Refusal.NoSuchAction(Id, actionId);
        }

        if (action.Status != ActionStatus.Proposed)
        {
            return Refusal.AlreadyDecided.Of(action);
        }

        if (!string.Equals(user, action.ProposedBy, StringComparison.Ordinal)
            && Authorize(IncidentOperation.Reject, user, policy, at, action.Id) is { } refused)
        {
            return refused;
        }

        action.Status = ActionStatus.Rejected;
        action.DecidedBy = user;
        action.DecidedAt = at;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Rejection, user, $"rejected {action.Kind} on {action.Target}", action.Id));
        return _state == IncidentState.AwaitingApproval && PendingApproval is null
            ? Fire(IncidentTrigger.Reject, user, at)
            : DomainResult.Ok();
    }

    /// <summary>Expires every proposal past its expiry; returns the ones that expired now.</summary>
    public IReadOnlyList<ActionRecord> ExpireApprovals(DateTimeOffset at)
    {
        var expired = _actions.Where(a => a.Status == ActionStatus.Proposed && at > a.ExpiresAt).ToList();
        foreach (var action in expired)
        {
            action.Status = ActionStatus.Expired;
            action.DecidedAt = at;
            action.Outcome = "approval expired; nothing ran";
            _timeline.Add(new TimelineEntry(at, TimelineKind.Expiry, BotActor, $"approval of {action.Kind} on {action.Target} expired", action.Id));
        }

        if (expired.Count > 0 && _state == IncidentState.AwaitingApproval && PendingApproval is null)
        {
            Fire(IncidentTrigger.ApprovalExpired, BotActor, at);
        }

        return expired;
    }

    /// <summary>Marks an approved action as started. Persist this before the action's first side effect.</summary>
    public DomainResult MarkStarted(string actionId, DateTimeOffset at, string? owner = null)
    {
        var action = FindAction(actionId);
        if (action is null || action.Status != ActionStatus.Approved || _state != IncidentState.Executing)
        {
            return action is null ? new Refusal.NoSuchAction(Id, actionId) : Refusal.AlreadyDecided.Of(action);
        }

        action.Status = ActionStatus.Started;
        action.StartedAt = at;
        action.ExecutionOwner = owner;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Execution, BotActor, $"started {action.Kind} on {action.Target}", action.Id));
        return DomainResult.Ok();
    }

    /// <summary>The state re-read just before execution differs from the one approved: nothing runs.</summary>
    public DomainResult RefuseForDrift(string actionId, string observed, DateTimeOffset at)
    {
        var action = FindAction(actionId);
        if (action is null || action.Status != ActionStatus.Approved)
        {
            return action is null ? new Refusal.NoSuchAction(Id, actionId) : Refusal.AlreadyDecided.Of(action);
        }

        action.Status = ActionStatus.Refused;
        action.FinishedAt = at;
        action.Outcome = $"not run: the state changed since the proposal ({observed})";
        _timeline.Add(new TimelineEntry(at, TimelineKind.Refusal, BotActor, $"{action.Kind} not run, state drifted: {observed}", action.Id));
        return Fire(IncidentTrigger.PreconditionDrifted, BotActor, at);
    }

    /// <summary>After a restart: an action approved but never started is not run behind anyone's back.</summary>
    public DomainResult MarkInterrupted(string actionId, DateTimeOffset at)
    {
        var action = FindAction(actionId);
        if (action is null || action.Status != ActionStatus.Approved)
        {
            return action is null ? new Refusal.NoSuchAction(Id, actionId) : Refusal.AlreadyDecided.Of(action);
        }

        action.Status = ActionStatus.Interrupted;
        action.FinishedAt = at;
        action.Outcome = "the bot restarted after approval and before execution; nothing ran";
        _timeline.Add(new TimelineEntry(at, TimelineKind.Refusal, BotActor, $"{action.Kind} interrupted by a restart before it started; nothing ran", action.Id));
        return Fire(IncidentTrigger.ExecutionFailed, BotActor, at);
    }

    public DomainResult RecordExecution(
        string actionId,
        bool succeeded,
        string outcome,
        IReadOnlyDictionary<string, string>? figures,
        DateTimeOffset at)
    {
        var action = FindAction(actionId);
        if (action is null || action.Status != ActionStatus.Started)
        {
            return action is null ? new Refusal.NoSuchAction(Id, actionId) : Refusal.AlreadyDecided.Of(action);
        }

        action.Status = succeeded ? ActionStatus.Succeeded : ActionStatus.Failed;
        action.FinishedAt = at;
        action.Outcome = outcome;
        foreach (var (key, value) in figures ?? new Dictionary<string, string>())
        {
            action.Figures[key] = value;
        }

        if (succeeded && !action.DryRun)
        {
            var undone = _actions.LastOrDefault(a => a.NeedsUndo && a.UndoKind == action.Kind && !ReferenceEquals(a, action));
            if (undone is not null)
            {
                undone.UndoneBy = action.Id;
            }
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Execution, BotActor,
            $"{action.Kind} on {action.Target} {(succeeded ? "succeeded" : "failed")}: {outcome}", action.Id));
        return Fire(succeeded ? IncidentTrigger.ExecutionSucceeded : IncidentTrigger.ExecutionFailed, BotActor, at);
    }

    /// <summary>
    /// Records the verification of the running action; <paramref name="figures"/> (the switchpoint, the timeline
    /// after, the old leader's state...) are merged into the action's figures, where the report reads them.
    /// </summary>
    public DomainResult RecordVerification(string actionId, bool passed, string beforeAfter, DateTimeOffset at, IReadOnlyDictionary<string, string>? figures = null)
    {
        var action = FindAction(actionId);
        if (action is null || _state != IncidentState.Verifying)
        {
            return action is null ? new Refusal.NoSuchAction(Id, actionId) : new Refusal.TriggerNotAccepted(Id, _state, passed ? IncidentTrigger.VerificationPassed : IncidentTrigger.VerificationFailed);
        }

        foreach (var (key, value) in figures ?? new Dictionary<string, string>())
        {
            action.Figures[key] = value;
        }

        action.Outcome = $"{action.Outcome} · verification {(passed ? "passed" : "failed")}: {beforeAfter}";
        _timeline.Add(new TimelineEntry(at, TimelineKind.Verification, BotActor,
            $"verification of {action.Kind} {(passed ? "passed" : "failed")}: {beforeAfter}", action.Id));
        if (passed && !action.DryRun)
        {
            MitigatedAt ??= at;
        }

        return Fire(passed ? IncidentTrigger.VerificationPassed : IncidentTrigger.VerificationFailed, BotActor, at);
    }
}
