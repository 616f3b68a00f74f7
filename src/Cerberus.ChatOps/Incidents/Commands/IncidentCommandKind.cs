namespace Cerberus.ChatOps.Incidents.Commands;

/// <summary>The subcommands of <c>/dbincident</c>.</summary>
/// <remarks>Public: the test projects take it as a theory parameter.</remarks>
public enum IncidentCommandKind
{
    Help,
    Start,
    Status,
    Commander,
    Note,
    Diagnose,
    Escalate,
    Propose,
    Resolve,
    Cancel,
    Close,
    List,
    Report,
    Drill,

    /// <summary><c>drill --live &lt;scenario&gt;</c>: a real fault injected into a staging cluster.</summary>
    LiveDrill,
}
