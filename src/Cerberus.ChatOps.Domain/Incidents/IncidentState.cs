namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>Where an incident stands. The transitions live in one place: <see cref="IncidentStateMachine"/>.</summary>
public enum IncidentState
{
    Declared,
    Diagnosing,
    AwaitingDecision,
    AwaitingApproval,
    Executing,
    Verifying,
    Mitigated,
    Resolved,
    Closed,
    Cancelled,
}
