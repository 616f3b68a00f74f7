namespace Cerberus.ChatOps.Incidents.Commands;

/// <summary>The subcommands of <c>/dbincident</c>.</summary>
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
}
