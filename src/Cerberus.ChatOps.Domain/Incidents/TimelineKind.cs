namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>The kinds of fact an incident's timeline records.</summary>
public enum TimelineKind
{
    Declared,
    StateChanged,
    Command,
    Note,
    CommanderChanged,
    Escalated,
    Diagnosis,
    Proposal,
    Approval,
    Rejection,
    Refusal,
    Expiry,
    Execution,
    Verification,
    Reminder,
    Resolution,
    Cancellation,
    Closure,
    Error,
    Alert,

    /// <summary>The leader watch saw a leader change, a flip-back or a stale primary.</summary>
    LeaderWatch,
}
