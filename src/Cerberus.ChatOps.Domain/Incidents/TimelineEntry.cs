namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>One fact in an incident's timeline: who did what, when (UTC).</summary>
/// <param name="At">When it happened, UTC.</param>
/// <param name="Kind">What kind of fact it is.</param>
/// <param name="Actor">A Slack user id, "cerberus" for the bot itself, or "cli:&lt;user&gt;" for the break-glass CLI.</param>
/// <param name="Text">A one-line description, free of secrets.</param>
/// <param name="ActionId">The action-ledger entry it concerns, if any.</param>
public sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string Actor, string Text, string? ActionId = null);
