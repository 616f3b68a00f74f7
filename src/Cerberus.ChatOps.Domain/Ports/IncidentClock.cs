using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// What the timers need to know about an open incident, kept by the store in indexed columns beside the document
/// (so a timer pass reads a few small columns per incident and loads only the documents that have something due).
/// </summary>
/// <param name="Id">The incident.</param>
/// <param name="State">Its state when last saved.</param>
/// <param name="RtoStartedAt">Where the 4-hour RTO clock starts: the detection time, else the declaration.</param>
/// <param name="NextApprovalExpiry">The earliest expiry of a card still waiting for approval, if any.</param>
/// <param name="RemindersSent">The RTO percentages already reminded.</param>
public sealed record IncidentClock(
    string Id,
    IncidentState State,
    DateTimeOffset RtoStartedAt,
    DateTimeOffset? NextApprovalExpiry,
    IReadOnlyList<int> RemindersSent)
{
    public static IncidentClock Of(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new(
            incident.Id,
            incident.State,
            incident.DetectedAt ?? incident.DeclaredAt,
            NextExpiryOf(incident.Actions),
            [.. incident.RemindersSent.Order()]);
    }

    /// <summary>The earliest expiry among the actions still waiting for approval.</summary>
    public static DateTimeOffset? NextExpiryOf(IEnumerable<ActionRecord> actions) =>
        actions.Where(a => a.Status == ActionStatus.Proposed).Select(a => (DateTimeOffset?)a.ExpiresAt).Min();

    /// <summary>An execution may need resuming (its owner's heartbeat may have lapsed): checked on every pass.</summary>
    public bool IsExecuting => State is IncidentState.Executing or IncidentState.Verifying;

    /// <summary>Whether an approval has expired at <paramref name="now"/>.</summary>
    public bool ApprovalExpired(DateTimeOffset now) => NextApprovalExpiry is { } expiry && now > expiry;

    /// <summary>The RTO reminders (percent of <see cref="Incident.RecoveryTimeObjective"/>) due at <paramref name="now"/> and not yet sent.</summary>
    public IReadOnlyList<int> DueReminders(DateTimeOffset now, IEnumerable<int> percents)
    {
        var elapsed = now - RtoStartedAt;
        return [.. percents.Where(p => elapsed >= Incident.RecoveryTimeObjective * (p / 100.0) && !RemindersSent.Contains(p))];
    }

    /// <summary>Whether a timer pass has anything to do for this incident.</summary>
    public bool IsDue(DateTimeOffset now, IEnumerable<int> reminderPercents) =>
        IsExecuting || ApprovalExpired(now) || DueReminders(now, reminderPercents).Count > 0;
}
