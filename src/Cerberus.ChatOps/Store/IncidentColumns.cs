using System.Globalization;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Store;

/// <summary>
/// The columns an incident row keeps beside its document (schema step 3): enough for the incident list and the
/// timers to read rows without parsing documents. Written on every save; rows saved before step 3 are filled in
/// once when the store initialises.
/// </summary>
internal sealed record IncidentColumns(
    string Summary,
    string Commander,
    DateTimeOffset? ResolvedAt,
    bool Drill,
    DateTimeOffset RtoStartedAt,
    DateTimeOffset? NextExpiryAt,
    string RemindersSent)
{
    public static IncidentColumns Of(Incident incident)
    {
        var clock = IncidentClock.Of(incident);
        return new(
            incident.Summary,
            incident.Commander,
            incident.ResolvedAt,
            incident.Drill,
            clock.RtoStartedAt,
            clock.NextApprovalExpiry,
            string.Join(',', clock.RemindersSent.Select(p => p.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>The stored "50,75" form of the reminders already sent.</summary>
    public static IReadOnlyList<int> ParseReminders(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : [.. stored.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
}
