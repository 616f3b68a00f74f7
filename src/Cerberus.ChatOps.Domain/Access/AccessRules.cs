namespace Cerberus.ChatOps.Domain.Access;

/// <summary>
/// The access model in one table: who may do what to a real incident. README's "Access control" table is checked
/// against <see cref="All"/>. Drill incidents touch nothing real: anyone may do anything in them.
/// </summary>
public static class AccessRules
{
    public static IReadOnlyList<(IncidentOperation Operation, AccessRole Role)> All { get; } =
    [
        (IncidentOperation.Declare, AccessRole.Anyone),
        (IncidentOperation.ReadStatus, AccessRole.Anyone),
        (IncidentOperation.Note, AccessRole.Anyone),
        (IncidentOperation.Diagnose, AccessRole.Anyone),
        (IncidentOperation.Escalate, AccessRole.Anyone),
        (IncidentOperation.ChangeCommander, AccessRole.CommanderOrRoster),
        (IncidentOperation.Propose, AccessRole.CommanderOrRoster),
        (IncidentOperation.Reject, AccessRole.CommanderOrRoster),
        (IncidentOperation.Resolve, AccessRole.CommanderOrRoster),
        (IncidentOperation.Cancel, AccessRole.CommanderOrRoster),
        (IncidentOperation.Close, AccessRole.CommanderOrRoster),
        (IncidentOperation.Approve, AccessRole.Roster),
        (IncidentOperation.ReadOtherChannels, AccessRole.Roster),
        (IncidentOperation.StartLiveDrill, AccessRole.Roster),
    ];

    public static AccessRole For(IncidentOperation operation) =>
        All.First(rule => rule.Operation == operation).Role;

    /// <summary>How the operation reads in a refusal: "Only … may <i>this</i>."</summary>
    public static string Verb(IncidentOperation operation) => operation switch
    {
        IncidentOperation.Declare => "declare an incident",
        IncidentOperation.ReadStatus => "read the status",
        IncidentOperation.Note => "add a note",
        IncidentOperation.Diagnose => "run the diagnostics",
        IncidentOperation.Escalate => "escalate",
        IncidentOperation.ChangeCommander => "hand over the commander role",
        IncidentOperation.Propose => "propose an action",
        IncidentOperation.Reject => "reject a proposal",
        IncidentOperation.Approve => "approve a change",
        IncidentOperation.Resolve => "resolve the incident",
        IncidentOperation.Cancel => "cancel the incident",
        IncidentOperation.Close => "close the incident",
        IncidentOperation.ReadOtherChannels => "see incidents of other channels",
        IncidentOperation.StartLiveDrill => "start a live drill",
        _ => operation.ToString(),
    };
}
