using Stateless;
using Stateless.Graph;

namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// The one place where an incident's states and triggers are configured. <see cref="Incident"/> wraps a machine
/// built here; <see cref="ToMermaid"/> exports the same configuration for the README (a test keeps them equal).
/// </summary>
public static class IncidentStateMachine
{
    public static StateMachine<IncidentState, IncidentTrigger> Create(
        Func<IncidentState> read,
        Action<IncidentState> write)
    {
        var machine = new StateMachine<IncidentState, IncidentTrigger>(read, write);
        Configure(machine);
        return machine;
    }

    public static string ToMermaid()
    {
        var state = IncidentState.Declared;
        var machine = Create(() => state, s => state = s);
        return MermaidGraph.Format(machine.GetInfo());
    }

    private static void Configure(StateMachine<IncidentState, IncidentTrigger> machine)
    {
        machine.Configure(IncidentState.Declared)
            .Permit(IncidentTrigger.BeginDiagnosis, IncidentState.Diagnosing)
            .Permit(IncidentTrigger.Resolve, IncidentState.Resolved)
            .Permit(IncidentTrigger.Cancel, IncidentState.Cancelled);

        machine.Configure(IncidentState.Diagnosing)
            .Permit(IncidentTrigger.DiagnosisCompleted, IncidentState.AwaitingDecision)
            .Permit(IncidentTrigger.Resolve, IncidentState.Resolved)
            .Permit(IncidentTrigger.Cancel, IncidentState.Cancelled);

        machine.Configure(IncidentState.AwaitingDecision)
            .Permit(IncidentTrigger.BeginDiagnosis, IncidentState.Diagnosing)
            .Permit(IncidentTrigger.ProposeAction, IncidentState.AwaitingApproval)
            .Permit(IncidentTrigger.Resolve, IncidentState.Resolved)
            .Permit(IncidentTrigger.Cancel, IncidentState.Cancelled);

        machine.Configure(IncidentState.AwaitingApproval)
            .PermitReentry(IncidentTrigger.ProposeAction)
            .Permit(IncidentTrigger.Approve, IncidentState.Executing)
            .Permit(IncidentTrigger.Reject, IncidentState.AwaitingDecision)
            .Permit(IncidentTrigger.ApprovalExpired, IncidentState.AwaitingDecision)
            .Permit(IncidentTrigger.Resolve, IncidentState.Resolved)
            .Permit(IncidentTrigger.Cancel, IncidentState.Cancelled);

        machine.Configure(IncidentState.Executing)
            .Permit(IncidentTrigger.PreconditionDrifted, IncidentState.AwaitingDecision)
            .Permit(IncidentTrigger.ExecutionSucceeded, IncidentState.Verifying)
            .Permit(IncidentTrigger.ExecutionFailed, IncidentState.AwaitingDecision);

        machine.Configure(IncidentState.Verifying)
            .Permit(IncidentTrigger.VerificationPassed, IncidentState.Mitigated)
            .Permit(IncidentTrigger.VerificationFailed, IncidentState.AwaitingDecision);

        machine.Configure(IncidentState.Mitigated)
            .Permit(IncidentTrigger.BeginDiagnosis, IncidentState.Diagnosing)
            .Permit(IncidentTrigger.ProposeAction, IncidentState.AwaitingApproval)
            .Permit(IncidentTrigger.Resolve, IncidentState.Resolved)
            .Permit(IncidentTrigger.Cancel, IncidentState.Cancelled);

        machine.Configure(IncidentState.Resolved)
            .Permit(IncidentTrigger.Close, IncidentState.Closed);

        // Closed and Cancelled are terminal: no trigger leaves them.
        machine.Configure(IncidentState.Closed);
        machine.Configure(IncidentState.Cancelled);
    }
}
