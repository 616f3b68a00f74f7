namespace Cerberus.ChatOps.Api;

/// <summary>A line of <c>GET /incidents</c>.</summary>
/// <param name="Report">The path of the post-incident document when the incident has one.</param>
/// <param name="NoReportReason">Why there is no document (still open, cancelled), otherwise null.</param>
internal sealed record IncidentListItem(
    string Id,
    string Channel,
    string Summary,
    string State,
    string Commander,
    DateTimeOffset DeclaredAt,
    DateTimeOffset? ResolvedAt,
    bool Drill,
    string? Report,
    string? NoReportReason);
