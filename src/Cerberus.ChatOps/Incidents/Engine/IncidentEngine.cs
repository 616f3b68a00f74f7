namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// The engine's pieces side by side, for the front doors that use most of them (the break-glass CLI) and for tests.
/// Each piece is its own class with its own dependencies; this record only groups them.
/// </summary>
/// <param name="Commands">Declaring and the slash commands.</param>
/// <param name="Diagnostics">Diagnostics runs.</param>
/// <param name="Reports">The post-incident document.</param>
/// <param name="Proposer">Proposals and approval cards.</param>
/// <param name="Approvals">Approve and reject.</param>
/// <param name="Execution">Execution, verification and resuming them.</param>
/// <param name="Resumption">Resumption after a start, and the timers.</param>
internal sealed record IncidentEngine(
    IncidentCommands Commands,
    DiagnosticsRuns Diagnostics,
    ReportWriter Reports,
    ActionProposer Proposer,
    ActionApprovals Approvals,
    ActionExecution Execution,
    IncidentResumption Resumption);
