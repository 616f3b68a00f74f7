using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>Which incidents get a post-incident document: resolved (or closed) ones; never open or cancelled ones.</summary>
public static class ReportEligibility
{
    /// <summary>Null when a report can be written; otherwise the sentence that says why not.</summary>
    public static string? WhyNot(string incidentId, IncidentState state) => state switch
    {
        IncidentState.Resolved or IncidentState.Closed => null,
        IncidentState.Cancelled => $"{incidentId} was cancelled: cancelled incidents get no report.",
        _ => $"{incidentId} is still {state}: the document is written when it is resolved.",
    };

    /// <summary>Null when <paramref name="incident"/> can get a report; otherwise why not.</summary>
    public static string? WhyNot(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return WhyNot(incident.Id, incident.State) ?? (incident.ResolvedAt is null ? $"{incident.Id} has no resolution time." : null);
    }
}
