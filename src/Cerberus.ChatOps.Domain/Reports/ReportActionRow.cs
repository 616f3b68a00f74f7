using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>One action of the ledger as the report shows it; <paramref name="Outcome"/> is free of secrets.</summary>
/// <param name="DecidedBy">Who approved (or rejected) it; null when nobody decided (expired, superseded).</param>
/// <param name="NotUndone">A successful change still waiting for its undo when the incident was resolved.</param>
public sealed record ReportActionRow(
    string Id,
    RemediationKind Kind,
    string Target,
    string ProposedBy,
    DateTimeOffset ProposedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    ActionStatus Status,
    string Outcome,
    bool DryRun,
    bool NotUndone);
