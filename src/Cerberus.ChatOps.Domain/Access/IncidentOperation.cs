namespace Cerberus.ChatOps.Domain.Access;

/// <summary>What someone can ask of an incident; <see cref="AccessRules"/> says who may.</summary>
public enum IncidentOperation
{
    /// <summary>Open an incident (<c>start</c>, <c>drill</c>): anyone may raise the alarm.</summary>
    Declare,

    /// <summary>Read where the incident stands (<c>status</c>, the channel's own <c>list</c> and <c>report</c>).</summary>
    ReadStatus,

    /// <summary>Add to the timeline (<c>note</c>).</summary>
    Note,

    /// <summary>Run the read-only diagnostics again (<c>diagnose</c>, its button); rate-limited per user.</summary>
    Diagnose,

    /// <summary>Page the escalation contact into the thread (<c>escalate</c>).</summary>
    Escalate,

    /// <summary>Hand over the incident commander role (<c>ic @user</c>).</summary>
    ChangeCommander,

    /// <summary>Propose a remediation (an approval card) or a dry run of one.</summary>
    Propose,

    /// <summary>Reject a pending approval card.</summary>
    Reject,

    /// <summary>Approve a change to production (subject to the second-person rule).</summary>
    Approve,

    /// <summary>Resolve the incident, with or without <c>--force</c>.</summary>
    Resolve,

    /// <summary>Cancel an incident declared by mistake.</summary>
    Cancel,

    /// <summary>Close a resolved incident after the review.</summary>
    Close,

    /// <summary><c>list</c> and <c>report</c> of incidents from other channels.</summary>
    ReadOtherChannels,

    /// <summary><c>drill --live</c>: inject a real fault into the (staging) cluster; only where enabled.</summary>
    StartLiveDrill,
}
