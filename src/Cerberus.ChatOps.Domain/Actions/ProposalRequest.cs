namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>What the engine asks an action to propose.</summary>
/// <param name="IncidentId">The incident.</param>
/// <param name="ActionId">The ledger id to use (idempotency key).</param>
/// <param name="ProposedBy">The Slack user (or the bot) proposing.</param>
/// <param name="Now">The proposal time.</param>
/// <param name="Expiry">How long the approval stays valid.</param>
/// <param name="DryRun">Show exactly what would run, run nothing.</param>
/// <param name="Arguments">Optional choices: candidate, slot, vacuum_full...</param>
public sealed record ProposalRequest(
    string IncidentId,
    string ActionId,
    string ProposedBy,
    DateTimeOffset Now,
    TimeSpan Expiry,
    bool DryRun,
    IReadOnlyDictionary<string, string> Arguments);
