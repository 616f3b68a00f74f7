using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Stateless;

namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// A database incident: its state machine, timeline and action ledger. Every change goes through an intent method
/// that answers with a <see cref="DomainResult"/>; an invalid trigger is a polite refusal, never an exception.
/// Not thread-safe (neither is Stateless): callers serialise work per incident.
/// </summary>
public sealed partial class Incident
{
    public const string BotActor = "cerberus";
    public static readonly TimeSpan RecoveryTimeObjective = TimeSpan.FromHours(4);
    public static readonly TimeSpan RecoveryPointObjective = TimeSpan.FromMinutes(15);

    /// <summary>Diagnosis runs kept in the document: the first and the latest ones.</summary>
    public const int MaxDiagnoses = 30;

    private readonly StateMachine<IncidentState, IncidentTrigger> _machine;
    private readonly List<TimelineEntry> _timeline;
    private readonly List<ActionRecord> _actions;
    private readonly List<DiagnosisReport> _diagnoses;
    private readonly List<int> _remindersSent;
    private IncidentState _state;
    private string _transitionActor = BotActor;
    private DateTimeOffset _transitionAt;

    private Incident(IncidentSnapshot s)
    {
        Id = s.Id;
        Channel = s.Channel;
        Summary = s.Summary;
        Severity = s.Severity;
        Commander = s.Commander;
        DeclaredBy = s.DeclaredBy;
        DeclaredAt = s.DeclaredAt;
        DetectedAt = s.DetectedAt;
        MitigatedAt = s.MitigatedAt;
        ResolvedAt = s.ResolvedAt;
        ClosedAt = s.ClosedAt;
        RootCause = s.RootCause;
        Drill = s.Drill;
        Version = s.Version;
        Classification = s.Classification;
        ReportMarkdown = s.ReportMarkdown;
        _state = s.State;
        _timeline = [.. s.Timeline];
        _actions = [.. s.Actions];
        _diagnoses = [.. s.Diagnoses];
        _remindersSent = [.. s.RemindersSent];
        _machine = IncidentStateMachine.Create(() => _state, st => _state = st);
        _machine.OnTransitioned(t =>
        {
            if (t.Source != t.Destination)
            {
                _timeline.Add(new TimelineEntry(_transitionAt, TimelineKind.StateChanged, _transitionActor, $"{t.Source} → {t.Destination}"));
            }
        });
    }

    public string Id { get; }
    public string Channel { get; private set; }
    public string Summary { get; }
    public Severity Severity { get; }
    public string Commander { get; private set; }
    public string DeclaredBy { get; }
    public DateTimeOffset DeclaredAt { get; }

    /// <summary>The earliest symptom the diagnostics or the starter reported; never later than the declaration.</summary>
    public DateTimeOffset? DetectedAt { get; private set; }

    public DateTimeOffset? MitigatedAt { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public string? RootCause { get; private set; }
    public bool Drill { get; }

    /// <summary>The optimistic-concurrency token: stores save only when it still matches, then increment it.</summary>
    public long Version { get; set; }

    public Classification? Classification { get; private set; }
    public string? ReportMarkdown { get; private set; }
    public IncidentState State => _state;
    public IReadOnlyList<TimelineEntry> Timeline => _timeline;
    public IReadOnlyList<ActionRecord> Actions => _actions;
    public IReadOnlyList<DiagnosisReport> Diagnoses => _diagnoses;
    public IReadOnlyList<int> RemindersSent => _remindersSent;

    public bool IsOpen => _state is not (IncidentState.Resolved or IncidentState.Closed or IncidentState.Cancelled);

    public ActionRecord? PendingApproval => _actions.LastOrDefault(a => a.Status == ActionStatus.Proposed);

    public ActionRecord? RunningAction =>
        _actions.LastOrDefault(a => a.Status is ActionStatus.Approved or ActionStatus.Started);

    public DiagnosisReport? LatestDiagnosis => _diagnoses.Count == 0 ? null : _diagnoses[^1];

    public static Incident Declare(
        string id,
        string channel,
        string summary,
        string declaredBy,
        DateTimeOffset at,
        bool drill = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(declaredBy);
        var incident = new Incident(new IncidentSnapshot
        {
            Id = id,
            Channel = channel,
            Summary = string.IsNullOrWhiteSpace(summary) ? "Database outage" : summary.Trim(),
            Commander = declaredBy,
            DeclaredBy = declaredBy,
            DeclaredAt = at,
            DetectedAt = at,
            Drill = drill,
            State = IncidentState.Declared,
        });
        incident._timeline.Add(new TimelineEntry(at, TimelineKind.Declared, declaredBy,
            $"{(drill ? "DRILL " : string.Empty)}incident declared: {incident.Summary}"));
        return incident;
    }

    public static Incident Restore(IncidentSnapshot snapshot) => new(snapshot);

    public IncidentSnapshot ToSnapshot() => new()
    {
        Id = Id,
        Channel = Channel,
        Summary = Summary,
        Severity = Severity,
        Commander = Commander,
        DeclaredBy = DeclaredBy,
        DeclaredAt = DeclaredAt,
        DetectedAt = DetectedAt,
        MitigatedAt = MitigatedAt,
        ResolvedAt = ResolvedAt,
        ClosedAt = ClosedAt,
        RootCause = RootCause,
        Drill = Drill,
        State = _state,
        Version = Version,
        Classification = Classification,
        Timeline = [.. _timeline],
        Actions = [.. _actions],
        Diagnoses = [.. _diagnoses],
        RemindersSent = [.. _remindersSent],
        ReportMarkdown = ReportMarkdown,
    };

    public ActionRecord? FindAction(string actionId) =>
        _actions.FirstOrDefault(a => string.Equals(a.Id, actionId, StringComparison.Ordinal));

    /// <summary>Successful changes still waiting for their undo (e.g. the backend left at 0 replicas).</summary>
    public IReadOnlyList<ActionRecord> OutstandingUndo => _actions.Where(a => a.NeedsUndo).ToList();

    public void RecordCommand(string actor, string text, DateTimeOffset at) =>
        _timeline.Add(new TimelineEntry(at, TimelineKind.Command, actor, text));

    /// <summary>Records an attempt the bot refused (rate limit, access) so the document lists it.</summary>
    public void RecordRefusal(string actor, string text, DateTimeOffset at) =>
        AddRefusal(at, actor, text);

    public void RecordError(string text, DateTimeOffset at) =>
        _timeline.Add(new TimelineEntry(at, TimelineKind.Error, BotActor, text));

    public DomainResult AddNote(string actor, string text, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DomainResult.Refused("A note needs some text: `/dbincident note <text>`.");
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Note, actor, text.Trim()));
        return DomainResult.Ok("Noted in the timeline.");
    }

    /// <summary>
    /// Checks that <paramref name="actor"/> may perform <paramref name="operation"/>; a refusal is recorded in the
    /// timeline (who, what, when) and answered with who can. Null when allowed.
    /// </summary>
    public DomainResult? Authorize(IncidentOperation operation, string actor, ApprovalPolicy policy, DateTimeOffset at, string? actionId = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.May(operation, actor, Commander, Drill))
        {
            return null;
        }

        var verb = AccessRules.Verb(operation);
        AddRefusal(at, actor, $"refused: {verb} (not the commander or on the approver roster)", actionId);
        var who = AccessRules.For(operation) == AccessRole.Roster
            ? "a member of the approver roster"
            : $"the incident commander (<@{Commander}>) or a member of the approver roster";
        return DomainResult.Refused($"Only {who} may {verb} in {Id}. Your attempt was recorded.");
    }

    public DomainResult ChangeCommander(string newCommander, string actor, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.ChangeCommander, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!IsOpen)
        {
            return DomainResult.Refused($"{Id} is {_state}; its commander can no longer change.");
        }

        if (string.Equals(newCommander, Commander, StringComparison.Ordinal))
        {
            return DomainResult.Refused($"<@{newCommander}> is already the incident commander.");
        }

        var previous = Commander;
        Commander = newCommander;
        _timeline.Add(new TimelineEntry(at, TimelineKind.CommanderChanged, actor, $"incident commander <@{previous}> → <@{newCommander}>"));
        return DomainResult.Ok($"<@{newCommander}> is now the incident commander.");
    }

    public DomainResult Escalate(string actor, string contacts, DateTimeOffset at)
    {
        if (!IsOpen)
        {
            return DomainResult.Refused($"{Id} is {_state}; there is nothing to escalate.");
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Escalated, actor, $"escalated to {contacts}"));
        return DomainResult.Ok($"Escalated to {contacts}.");
    }

    public DomainResult BeginDiagnosis(string actor, DateTimeOffset at)
    {
        if (_state == IncidentState.Diagnosing)
        {
            return DomainResult.Refused("Diagnostics are already running; their results will be posted in the thread.");
        }

        return Fire(IncidentTrigger.BeginDiagnosis, actor, at, "diagnose");
    }

    /// <summary>Records a diagnosis run. It always lands in the record; it moves the machine only while diagnosing.</summary>
    public DomainResult CompleteDiagnosis(DiagnosisReport report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        _diagnoses.Add(report);

        // Bounded: the first run (the "before" of the document) and the latest ones are kept.
        if (_diagnoses.Count > MaxDiagnoses)
        {
            _diagnoses.RemoveAt(1);
        }

        Classification = report.Classification;
        var earliest = report.Results.Where(r => r.SymptomSince is not null).Select(r => r.SymptomSince!.Value).DefaultIfEmpty(at).Min();
        if (report.Classification != Diagnostics.Classification.Healthy && earliest < (DetectedAt ?? DeclaredAt))
        {
            DetectedAt = earliest;
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Diagnosis, BotActor,
            $"diagnostics: {report.Classification} — {report.Sentence}"));
        return _state == IncidentState.Diagnosing
            ? Fire(IncidentTrigger.DiagnosisCompleted, BotActor, at, "complete diagnostics")
            : DomainResult.Ok("Diagnostics recorded.");
    }

    /// <summary>Sets the detection time when the starter knows the symptom began earlier than the declaration.</summary>
    public void ReportSymptomSince(DateTimeOffset since, string actor, DateTimeOffset at)
    {
        if (since < (DetectedAt ?? DeclaredAt))
        {
            DetectedAt = since;
            _timeline.Add(new TimelineEntry(at, TimelineKind.Note, actor, $"symptoms reported since {since:u}"));
        }
    }

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
            return DomainResult.Refused($"Action {action.Id} was already proposed.");
        }

        if (!_machine.CanFire(IncidentTrigger.ProposeAction))
        {
            return DomainResult.Refused(_state switch
            {
                IncidentState.Executing or IncidentState.Verifying =>
                    $"An action is running ({RunningAction?.Kind}); wait for its verification before proposing another.",
                IncidentState.Diagnosing => "Diagnostics are still running; propose an action once they are posted.",
                _ => $"{Id} is {_state}; no action can be proposed.",
            });
        }

        // Only the roster replaces a card someone may be reading right now; the commander rejects it first.
        if (!reproposal && !Drill && PendingApproval is { } waiting && !policy.IsOnRoster(action.ProposedBy)
            && !string.Equals(action.ProposedBy, BotActor, StringComparison.Ordinal))
        {
            AddRefusal(at, action.ProposedBy, $"refused: supersede the pending card {waiting.Id} (not on the approver roster)", action.Id);
            return DomainResult.Refused($"A card is waiting for a decision ({waiting.Kind} on {waiting.Target}, `{waiting.Id}`): only a member of the approver roster may replace it. Reject it first, or ask a roster member. Your attempt was recorded.");
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
                $"re-proposed {action.Kind} on {action.Target} after the state changed (replaces {action.ReproposalOf}; proposer of record <@{action.ProposedBy}>)", action.Id)
            : new TimelineEntry(at, TimelineKind.Proposal, action.ProposedBy,
                $"proposed {(action.DryRun ? "(dry run) " : string.Empty)}{action.Kind} on {action.Target}", action.Id));
        return Fire(IncidentTrigger.ProposeAction, reproposal ? BotActor : action.ProposedBy, at, "propose an action");
    }

    public DomainResult Approve(string actionId, string approver, bool riskAccepted, ApprovalPolicy policy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var action = FindAction(actionId);
        if (action is null)
        {
            return DomainResult.Refused($"There is no action {actionId} in {Id}.");
        }

        if (action.Status != ActionStatus.Proposed)
        {
            return DomainResult.Refused(DecidedText(action));
        }

        if (at > action.ExpiresAt)
        {
            ExpireApprovals(at);
            return DomainResult.Refused($"This approval expired at {action.ExpiresAt:HH:mm} UTC; nothing ran. Propose the action again to get a fresh card.");
        }

        if (!Drill && policy.Roster.Count == 0)
        {
            AddRefusal(at, approver, $"approval of {action.Kind} refused: the approver roster is empty", action.Id);
            return DomainResult.Refused($"Nobody may approve changes to production: the approver roster is empty (set `{ApprovalPolicy.RosterSetting}`, …). Your click was recorded; nothing ran.");
        }

        if (!policy.May(IncidentOperation.Approve, approver, Commander, Drill))
        {
            AddRefusal(at, approver, $"approval of {action.Kind} refused: not on the approver roster", action.Id);
            return DomainResult.Refused("Only a member of the approver roster may approve this (being the incident commander is not enough). Your click was recorded; nothing ran.");
        }

        if (policy.NeedsSecondPerson(action, Drill) && string.Equals(approver, action.ProposedBy, StringComparison.Ordinal))
        {
            AddRefusal(at, approver, $"approval of {action.Kind} refused: two-person rule", action.Id);
            return DomainResult.Refused($"This needs a second person: someone on the approver roster other than the proposer (<@{action.ProposedBy}>) must approve. Your click was recorded; nothing ran.");
        }

        if (action.RiskWarning is not null && !riskAccepted)
        {
            return DomainResult.Refused($"This action needs the explicit confirmation that names its risk: {action.RiskWarning}");
        }

        if (!_machine.CanFire(IncidentTrigger.Approve))
        {
            return DomainResult.Refused($"{Id} is {_state}; the approval cannot be taken now.");
        }

        action.Status = ActionStatus.Approved;
        action.DecidedBy = approver;
        action.DecidedAt = at;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Approval, approver,
            $"approved {action.Kind} on {action.Target}{(riskAccepted && action.RiskWarning is not null ? " accepting: " + action.RiskWarning : string.Empty)}", action.Id));
        return Fire(IncidentTrigger.Approve, approver, at, "approve");
    }

    public DomainResult Reject(string actionId, string user, ApprovalPolicy policy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var action = FindAction(actionId);
        if (action is null)
        {
            return DomainResult.Refused($"There is no action {actionId} in {Id}.");
        }

        if (action.Status != ActionStatus.Proposed)
        {
            return DomainResult.Refused(DecidedText(action));
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
            ? Fire(IncidentTrigger.Reject, user, at, "reject")
            : DomainResult.Ok("Rejected.");
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
            Fire(IncidentTrigger.ApprovalExpired, BotActor, at, "expire");
        }

        return expired;
    }

    /// <summary>Marks an approved action as started. Persist this before the action's first side effect.</summary>
    public DomainResult MarkStarted(string actionId, DateTimeOffset at, string? owner = null)
    {
        var action = FindAction(actionId);
        if (action is null || action.Status != ActionStatus.Approved || _state != IncidentState.Executing)
        {
            return DomainResult.Refused(action is null ? $"There is no action {actionId}." : DecidedText(action));
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
            return DomainResult.Refused(action is null ? $"There is no action {actionId}." : DecidedText(action));
        }

        action.Status = ActionStatus.Refused;
        action.FinishedAt = at;
        action.Outcome = $"not run: the state changed since the proposal ({observed})";
        _timeline.Add(new TimelineEntry(at, TimelineKind.Refusal, BotActor, $"{action.Kind} not run, state drifted: {observed}", action.Id));
        return Fire(IncidentTrigger.PreconditionDrifted, BotActor, at, "refuse for drift");
    }

    /// <summary>After a restart: an action approved but never started is not run behind anyone's back.</summary>
    public DomainResult MarkInterrupted(string actionId, DateTimeOffset at)
    {
        var action = FindAction(actionId);
        if (action is null || action.Status != ActionStatus.Approved)
        {
            return DomainResult.Refused(action is null ? $"There is no action {actionId}." : DecidedText(action));
        }

        action.Status = ActionStatus.Interrupted;
        action.FinishedAt = at;
        action.Outcome = "the bot restarted after approval and before execution; nothing ran";
        _timeline.Add(new TimelineEntry(at, TimelineKind.Refusal, BotActor, $"{action.Kind} interrupted by a restart before it started; nothing ran", action.Id));
        return Fire(IncidentTrigger.ExecutionFailed, BotActor, at, "interrupt");
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
            return DomainResult.Refused(action is null ? $"There is no action {actionId}." : DecidedText(action));
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
        return Fire(succeeded ? IncidentTrigger.ExecutionSucceeded : IncidentTrigger.ExecutionFailed, BotActor, at, "record execution");
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
            return DomainResult.Refused(action is null ? $"There is no action {actionId}." : $"{Id} is {_state}; nothing to verify.");
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

        return Fire(passed ? IncidentTrigger.VerificationPassed : IncidentTrigger.VerificationFailed, BotActor, at, "record verification");
    }

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

    /// <summary>Whether a trigger is valid in the current state, for help texts and tests.</summary>
    public bool CanFire(IncidentTrigger trigger) => _machine.CanFire(trigger);

    /// <summary>
    /// Records a refused attempt. The same person repeating the same refused attempt (a click held down, a script)
    /// updates the last entry with a count instead of growing the document without bound.
    /// </summary>
    private void AddRefusal(DateTimeOffset at, string actor, string text, string? actionId = null)
    {
        if (_timeline.Count > 0 && _timeline[^1] is { Kind: TimelineKind.Refusal } last
            && string.Equals(last.Actor, actor, StringComparison.Ordinal) && string.Equals(last.ActionId, actionId, StringComparison.Ordinal)
            && RepeatedText().Match(last.Text) is { } match && string.Equals(match.Groups["text"].Value, text, StringComparison.Ordinal))
        {
            var count = match.Groups["count"].Success ? int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1 : 2;
            _timeline[^1] = last with { Text = $"{text} (×{count}, last at {at:HH:mm:ss} UTC)" };
            return;
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Refusal, actor, text, actionId));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<text>.*?)(?: \(×(?<count>\d+), last at \d\d:\d\d:\d\d UTC\))?$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex RepeatedText();

    private static string DecidedText(ActionRecord action) => action.Status switch
    {
        ActionStatus.Approved or ActionStatus.Started or ActionStatus.Succeeded or ActionStatus.Failed =>
            $"Already approved by <@{action.DecidedBy}> at {action.DecidedAt:HH:mm:ss} UTC (now {action.Status}); nothing more will run.",
        ActionStatus.Rejected => $"Already rejected by <@{action.DecidedBy}> at {action.DecidedAt:HH:mm:ss} UTC.",
        ActionStatus.Expired => "This approval expired; nothing ran. Propose the action again for a fresh card.",
        ActionStatus.Superseded => $"This card is stale ({action.Outcome}).",
        ActionStatus.Refused => $"This action was not run: {action.Outcome}.",
        ActionStatus.Interrupted => $"This action was interrupted: {action.Outcome}.",
        _ => $"This action is {action.Status}.",
    };

    private DomainResult Fire(IncidentTrigger trigger, string actor, DateTimeOffset at, string what)
    {
        if (!_machine.CanFire(trigger))
        {
            return DomainResult.Refused($"Cannot {what}: {Id} is {_state}.");
        }

        _transitionActor = actor;
        _transitionAt = at;
        _machine.Fire(trigger);
        return DomainResult.Ok();
    }
}
