using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>A line of an incident list.</summary>
public sealed record IncidentSummary(
    string Id,
    string Channel,
    string Summary,
    IncidentState State,
    string Commander,
    DateTimeOffset DeclaredAt,
    DateTimeOffset? ResolvedAt,
    bool Drill);
