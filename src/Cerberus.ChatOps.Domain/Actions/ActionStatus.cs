namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>The life of one action-ledger entry.</summary>
public enum ActionStatus
{
    /// <summary>An approval card is posted; nothing has run.</summary>
    Proposed,

    /// <summary>An approver clicked Approve; execution is about to start.</summary>
    Approved,

    /// <summary>Written before the first side effect: from here on, the action is never started again.</summary>
    Started,

    Succeeded,
    Failed,
    Rejected,
    Expired,

    /// <summary>The observed state drifted before execution; nothing ran.</summary>
    Refused,

    /// <summary>A newer proposal replaced this one before anyone decided.</summary>
    Superseded,

    /// <summary>The bot restarted after approval but before the first side effect; nothing ran.</summary>
    Interrupted,
}
