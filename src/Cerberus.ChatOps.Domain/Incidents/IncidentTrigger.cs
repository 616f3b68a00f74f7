namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>What can happen to an incident. Fired only through the intent methods of <see cref="Incident"/>.</summary>
public enum IncidentTrigger
{
    BeginDiagnosis,
    DiagnosisCompleted,
    ProposeAction,
    Approve,
    Reject,
    ApprovalExpired,
    PreconditionDrifted,
    ExecutionSucceeded,
    ExecutionFailed,
    VerificationPassed,
    VerificationFailed,
    Resolve,
    Close,
    Cancel,
}
