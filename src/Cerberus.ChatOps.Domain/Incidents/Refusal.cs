using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// Why an intent method changed nothing, as a case with its data. The adapters word it (Slack mrkdwn, mentions,
/// command hints in <c>Incidents/Rendering/IncidentReplies</c>); the host may add cases of its own by deriving.
/// </summary>
public abstract record Refusal : DomainResult
{
    public override bool Succeeded => false;

    /// <summary>The incident has no action with this id.</summary>
    public sealed record NoSuchAction(string IncidentId, string ActionId) : Refusal;

    /// <summary>The action was decided already (a second click, a stale card): nothing more runs.</summary>
    public sealed record AlreadyDecided(ActionStatus Status, string? DecidedBy, DateTimeOffset? DecidedAt, string? Outcome) : Refusal
    {
        public static AlreadyDecided Of(ActionRecord action)
        {
            ArgumentNullException.ThrowIfNull(action);
            return new(action.Status, action.DecidedBy, action.DecidedAt, action.Outcome);
        }
    }

    /// <summary>An action with this id is in the ledger already.</summary>
    public sealed record AlreadyProposed(string ActionId) : Refusal;

    /// <summary>An action runs; <paramref name="Attempt"/> waits for its verification.</summary>
    public sealed record ActionRunning(RemediationKind? Kind, IncidentOperation Attempt) : Refusal;

    /// <summary>The diagnostics are running; <paramref name="Attempt"/> waits for their results.</summary>
    public sealed record DiagnosticsRunning(IncidentOperation Attempt) : Refusal;

    /// <summary><paramref name="Attempt"/> is not possible in the incident's state.</summary>
    public sealed record NotInThisState(string IncidentId, IncidentState State, IncidentOperation Attempt) : Refusal;

    /// <summary>The state machine does not accept <paramref name="Trigger"/> now (a bot-internal step out of order).</summary>
    public sealed record TriggerNotAccepted(string IncidentId, IncidentState State, IncidentTrigger Trigger) : Refusal;

    /// <summary>Only the roster replaces a card that waits for a decision.</summary>
    public sealed record CardWaiting(string ActionId, RemediationKind Kind, string Target) : Refusal;

    /// <summary>The card expired before the click; nothing ran.</summary>
    public sealed record ApprovalExpired(DateTimeOffset ExpiresAt) : Refusal;

    /// <summary>Nobody is on the approver roster, so nobody may approve a change to production.</summary>
    public sealed record RosterEmpty : Refusal;

    /// <summary>The approver is not on the roster (being the commander is not enough).</summary>
    public sealed record NotOnRoster : Refusal;

    /// <summary>The two-person rule: the proposer may not approve their own card.</summary>
    public sealed record SecondPersonNeeded(string Proposer) : Refusal;

    /// <summary>The card names a risk, and the click did not confirm it.</summary>
    public sealed record RiskNotAccepted(string RiskWarning) : Refusal;

    /// <summary>Changes wait for their undo (e.g. the backend at 0 replicas); resolving needs --force.</summary>
    public sealed record ChangesNotUndone(IReadOnlyList<PendingUndo> Outstanding) : Refusal;

    /// <summary>A note with no text.</summary>
    public sealed record EmptyNote : Refusal;

    /// <summary>The actor may not do <paramref name="Operation"/>; the attempt is in the timeline.</summary>
    public sealed record NotAllowed(string IncidentId, IncidentOperation Operation, AccessRole Needed, string Commander) : Refusal;

    /// <summary>The hand-over names the commander already in charge.</summary>
    public sealed record AlreadyCommander(string User) : Refusal;

    /// <summary>One change that still waits for its undo.</summary>
    public sealed record PendingUndo(string ActionId, RemediationKind Kind, string Target);
}
