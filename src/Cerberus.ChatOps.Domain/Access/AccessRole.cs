namespace Cerberus.ChatOps.Domain.Access;

/// <summary>Who may perform an <see cref="IncidentOperation"/> on a real (non-drill) incident.</summary>
public enum AccessRole
{
    /// <summary>Any member of the workspace the bot serves.</summary>
    Anyone,

    /// <summary>The incident's current commander, or a member of the approver roster.</summary>
    CommanderOrRoster,

    /// <summary>Only a member of the approver roster (<c>Cerberus:Approvers</c>).</summary>
    Roster,
}
