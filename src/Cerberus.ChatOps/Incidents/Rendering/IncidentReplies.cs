using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;

namespace Cerberus.ChatOps.Incidents.Rendering;

/// <summary>
/// Words the domain's answers for Slack: every <see cref="Refusal"/> case becomes the private reply its asker reads
/// (mentions, command hints and mrkdwn live here, not in the domain).
/// </summary>
internal static class IncidentReplies
{
    public static string Text(DomainResult result) => result switch
    {
        DomainResult.Done => "Done.",
        Refusal.NoSuchAction r => $"There is no action {r.ActionId} in {r.IncidentId}.",
        Refusal.AlreadyDecided r => Decided(r),
        Refusal.AlreadyProposed r => $"Action {r.ActionId} was already proposed.",
        Refusal.ActionRunning r => r.Attempt switch
        {
            IncidentOperation.Propose => $"An action is running ({r.Kind}); wait for its verification before proposing another.",
            IncidentOperation.Cancel => "An action is running; it cannot be cancelled halfway. Resolve the incident once it is verified.",
            IncidentOperation.Resolve => $"An action is running ({r.Kind}); resolve once it is verified.",
            _ => $"An action is running ({r.Kind}); try again once it is verified.",
        },
        Refusal.DiagnosticsRunning r => r.Attempt == IncidentOperation.Propose
            ? "Diagnostics are still running; propose an action once they are posted."
            : "Diagnostics are already running; their results will be posted in the thread.",
        Refusal.NotInThisState r => r.Attempt switch
        {
            IncidentOperation.Propose => $"{r.IncidentId} is {r.State}; no action can be proposed.",
            IncidentOperation.Approve => $"{r.IncidentId} is {r.State}; the approval cannot be taken now.",
            IncidentOperation.ChangeCommander => $"{r.IncidentId} is {r.State}; its commander can no longer change.",
            IncidentOperation.Escalate => $"{r.IncidentId} is {r.State}; there is nothing to escalate.",
            IncidentOperation.Close => $"{r.IncidentId} is {r.State}; only a resolved incident can be closed.",
            IncidentOperation.Resolve or IncidentOperation.Cancel => $"{r.IncidentId} is already {r.State}.",
            _ => $"{r.IncidentId} is {r.State}; you cannot {AccessRules.Verb(r.Attempt)} now.",
        },
        Refusal.TriggerNotAccepted r => $"Cannot {Step(r.Trigger)}: {r.IncidentId} is {r.State}.",
        Refusal.CardWaiting r => $"A card is waiting for a decision ({r.Kind} on {Format.Safe(r.Target)}, `{r.ActionId}`): only a member of the approver roster may replace it. Reject it first, or ask a roster member. Your attempt was recorded.",
        Refusal.ApprovalExpired r => $"This approval expired at {r.ExpiresAt:HH:mm} UTC; nothing ran. Propose the action again to get a fresh card.",
        Refusal.RosterEmpty => $"Nobody may approve changes to production: the approver roster is empty (set `{ApprovalPolicy.RosterSetting}`, …). Your click was recorded; nothing ran.",
        Refusal.NotOnRoster => "Only a member of the approver roster may approve this (being the incident commander is not enough). Your click was recorded; nothing ran.",
        Refusal.SecondPersonNeeded r => $"This needs a second person: someone on the approver roster other than the proposer ({Format.User(r.Proposer)}) must approve. Your click was recorded; nothing ran.",
        Refusal.RiskNotAccepted r => $"This action needs the explicit confirmation that names its risk: {Format.Safe(r.RiskWarning)}",
        Refusal.ChangesNotUndone r => $"Not resolved: {string.Join("; ", r.Outstanding.Select(a => $"{a.Kind} on {Format.Safe(a.Target)} ({a.ActionId}) is not undone"))}. Undo it first, or `/dbincident resolve --force <root cause>` to resolve anyway.",
        Refusal.EmptyNote => "A note needs some text: `/dbincident note <text>`.",
        Refusal.NotAllowed r => $"Only {(r.Needed == AccessRole.Roster ? "a member of the approver roster" : $"the incident commander ({Format.User(r.Commander)}) or a member of the approver roster")} may {AccessRules.Verb(r.Operation)} in {r.IncidentId}. Your attempt was recorded.",
        Refusal.AlreadyCommander r => $"{Format.User(r.User)} is already the incident commander.",
        EngineRefusal.NoSuchIncident r => $"There is no incident {r.IncidentId}.",
        EngineRefusal.RateLimited => "You are over the per-person limit for this; try again in a few minutes.",
        EngineRefusal.CommanderChangedMeanwhile => "The commander changed meanwhile; propose again.",
        EngineRefusal.NoReport r => r.Why,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result.GetType().Name, "a domain answer without wording"),
    };

    private static string Decided(Refusal.AlreadyDecided r) => r.Status switch
    {
        ActionStatus.Approved or ActionStatus.Started or ActionStatus.Succeeded or ActionStatus.Failed =>
            $"Already approved by {Format.User(r.DecidedBy ?? "?")} at {r.DecidedAt:HH:mm:ss} UTC (now {r.Status}); nothing more will run.",
        ActionStatus.Rejected => $"Already rejected by {Format.User(r.DecidedBy ?? "?")} at {r.DecidedAt:HH:mm:ss} UTC.",
        ActionStatus.Expired => "This approval expired; nothing ran. Propose the action again for a fresh card.",
        ActionStatus.Superseded => $"This card is stale ({Format.Safe(r.Outcome)}).",
        ActionStatus.Refused => $"This action was not run: {Format.Safe(r.Outcome)}.",
        ActionStatus.Interrupted => $"This action was interrupted: {Format.Safe(r.Outcome)}.",
        _ => $"This action is {r.Status}.",
    };

    private static string Step(IncidentTrigger trigger) => trigger switch
    {
        IncidentTrigger.BeginDiagnosis => "diagnose",
        IncidentTrigger.DiagnosisCompleted => "complete diagnostics",
        IncidentTrigger.ProposeAction => "propose an action",
        IncidentTrigger.Approve => "approve",
        IncidentTrigger.Reject => "reject",
        IncidentTrigger.ApprovalExpired => "expire",
        IncidentTrigger.PreconditionDrifted => "refuse for drift",
        IncidentTrigger.ExecutionSucceeded or IncidentTrigger.ExecutionFailed => "record execution",
        IncidentTrigger.VerificationPassed or IncidentTrigger.VerificationFailed => "record verification",
        IncidentTrigger.Resolve => "resolve",
        IncidentTrigger.Close => "close",
        IncidentTrigger.Cancel => "cancel",
        _ => trigger.ToString(),
    };
}
