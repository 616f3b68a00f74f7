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

    private readonly List<IncidentAlert> _alerts;

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
        ChannelPending = s.ChannelPending;
        LeaderWatch = s.LeaderWatch;
        LiveDrill = s.LiveDrill;
        _state = s.State;
        _timeline = [.. s.Timeline];
        _actions = [.. s.Actions];
        _diagnoses = [.. s.Diagnoses];
        _remindersSent = [.. s.RemindersSent];
        _alerts = [.. s.Alerts];
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

    /// <summary>
    /// True while the incident waits for its own channel: it is worked where it was declared until
    /// <see cref="SettleChannel"/> records where it lives.
    /// </summary>
    public bool ChannelPending { get; private set; }

    /// <summary>What a live drill measured (<see cref="RecordLiveDrill"/>); null otherwise.</summary>
    public LiveDrillResult? LiveDrill { get; private set; }

    /// <summary>A live drill: a real incident (real diagnostics, actions and approvals) on a fault injected on purpose.</summary>
    public bool IsLiveDrill => LiveDrillResult.IsLiveDrill(Summary);

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
        Alerts = [.. _alerts],
        ReportMarkdown = ReportMarkdown,
        ChannelPending = ChannelPending,
        LeaderWatch = LeaderWatch,
        LiveDrill = LiveDrill,
    };

    public ActionRecord? FindAction(string actionId) =>
        _actions.FirstOrDefault(a => string.Equals(a.Id, actionId, StringComparison.Ordinal));

    /// <summary>Successful changes still waiting for their undo (e.g. the backend left at 0 replicas).</summary>
    public IReadOnlyList<ActionRecord> OutstandingUndo => _actions.Where(a => a.NeedsUndo).ToList();

    public void RecordCommand(string actor, string text, DateTimeOffset at) =>
        _timeline.Add(new TimelineEntry(at, TimelineKind.Command, actor, text));

    /// <summary>Records a live drill's measurements, with a line in the timeline (the bot's).</summary>
    public void RecordLiveDrill(LiveDrillResult result, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(result);
        LiveDrill = result;
        _timeline.Add(new TimelineEntry(at, TimelineKind.Note, BotActor, result.Line() + (result.Lost.Count == 0 ? string.Empty : "; lost: " + result.LostNames())));
    }

    /// <summary>Records an attempt the bot refused (rate limit, access) so the document lists it.</summary>
    public void RecordRefusal(string actor, string text, DateTimeOffset at) =>
        AddRefusal(at, actor, text);

    public DomainResult AddNote(string actor, string text, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new Refusal.EmptyNote();
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Note, actor, text.Trim()));
        return DomainResult.Ok();
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

        AddRefusal(at, actor, $"refused: {AccessRules.Verb(operation)} (not the commander or on the approver roster)", actionId);
        return new Refusal.NotAllowed(Id, operation, AccessRules.For(operation), Commander);
    }

    public DomainResult ChangeCommander(string newCommander, string actor, ApprovalPolicy policy, DateTimeOffset at)
    {
        if (Authorize(IncidentOperation.ChangeCommander, actor, policy, at) is { } refused)
        {
            return refused;
        }

        if (!IsOpen)
        {
            return new Refusal.NotInThisState(Id, _state, IncidentOperation.ChangeCommander);
        }

        if (string.Equals(newCommander, Commander, StringComparison.Ordinal))
        {
            return new Refusal.AlreadyCommander(newCommander);
        }

        var previous = Commander;
        Commander = newCommander;
        _timeline.Add(new TimelineEntry(at, TimelineKind.CommanderChanged, actor, $"incident commander @{previous} → @{newCommander}"));
        return DomainResult.Ok();
    }

    public DomainResult Escalate(string actor, string contacts, DateTimeOffset at)
    {
        if (!IsOpen)
        {
            return new Refusal.NotInThisState(Id, _state, IncidentOperation.Escalate);
        }

        _timeline.Add(new TimelineEntry(at, TimelineKind.Escalated, actor, $"escalated to {contacts}"));
        return DomainResult.Ok();
    }

    public DomainResult BeginDiagnosis(string actor, DateTimeOffset at)
    {
        if (_state == IncidentState.Diagnosing)
        {
            return new Refusal.DiagnosticsRunning(IncidentOperation.Diagnose);
        }

        return Fire(IncidentTrigger.BeginDiagnosis, actor, at);
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
            ? Fire(IncidentTrigger.DiagnosisCompleted, BotActor, at)
            : DomainResult.Ok();
    }

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

    private DomainResult Fire(IncidentTrigger trigger, string actor, DateTimeOffset at)
    {
        if (!_machine.CanFire(trigger))
        {
            return new Refusal.TriggerNotAccepted(Id, _state, trigger);
        }

        _transitionActor = actor;
        _transitionAt = at;
        _machine.Fire(trigger);
        return DomainResult.Ok();
    }
}
