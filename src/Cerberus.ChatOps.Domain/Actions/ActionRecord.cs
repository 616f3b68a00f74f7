namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>
/// One entry of an incident's action ledger. Its <see cref="Id"/> is the idempotency key: an entry is moved to
/// <see cref="ActionStatus.Started"/> and persisted before the action's first side effect, so a double click,
/// a Slack retry or a restart can never execute it twice.
/// </summary>
public sealed class ActionRecord
{
    public required string Id { get; init; }

    public required RemediationKind Kind { get; init; }

    /// <summary>What the action acts on: a Patroni member, a deployment, a table, a slot.</summary>
    public required string Target { get; init; }

    /// <summary>Exactly what will run, for the approval card (no secrets).</summary>
    public required string Description { get; init; }

    /// <summary>The observed state the proposal was based on, as a person reads it.</summary>
    public required string BasedOn { get; init; }

    /// <summary>A compact form of the observed state; re-read just before execution and compared.</summary>
    public required string ObservedFingerprint { get; init; }

    /// <summary>Action-specific parameters (candidate, leader, replica count, cutoff, batch size...).</summary>
    public Dictionary<string, string> Parameters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Figures recorded for the post-incident document (switchpoint LSN, estimated loss, rows deleted...).</summary>
    public Dictionary<string, string> Figures { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A warning the approver must accept explicitly (e.g. the data loss a lagging candidate implies).</summary>
    public string? RiskWarning { get; init; }

    public bool DryRun { get; init; }

    /// <summary>
    /// The human who proposed it. A card the bot re-proposes after the state changed keeps the proposer of the card it
    /// replaces (see <see cref="ReproposalOf"/>), so the second-person rule survives the drift.
    /// </summary>
    public required string ProposedBy { get; init; }

    /// <summary>The ledger id of the card this one replaces after the state changed under an approval, if any.</summary>
    public string? ReproposalOf { get; set; }

    public required DateTimeOffset ProposedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public ActionStatus Status { get; set; } = ActionStatus.Proposed;

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>
    /// The process that started it (host/pid/instance). Its heartbeat is the incident's execution lease in the store;
    /// another process reconciles the action only once that heartbeat has lapsed.
    /// </summary>
    public string? ExecutionOwner { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>What happened, in one or two sentences (success, failure reason, verification before → after).</summary>
    public string? Outcome { get; set; }

    /// <summary>For a change that should be undone before the incident is resolved (scale down): how to undo it.</summary>
    public RemediationKind? UndoKind { get; init; }

    /// <summary>The ledger id of the action that undid this one, once it succeeded.</summary>
    public string? UndoneBy { get; set; }

    public bool IsOpen => Status is ActionStatus.Proposed or ActionStatus.Approved or ActionStatus.Started;

    public bool IsFinal => !IsOpen;

    /// <summary>True for a successful change that still waits for its undo (e.g. the backend is still scaled to 0).</summary>
    public bool NeedsUndo => Status == ActionStatus.Succeeded && UndoKind is not null && UndoneBy is null && !DryRun;
}
