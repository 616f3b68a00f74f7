using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Alerts;

/// <summary>
/// A validated Alertmanager notification: its group, its alerts as the incident keeps them, and the summary an
/// incident declared from it gets. <see cref="DedupeKey"/> is the same for a repeat of the same notification
/// (Alertmanager's retries and its repeat_interval), different once any alert changes state.
/// </summary>
internal sealed record AlertBatch(
    string GroupKey,
    string Status,
    string Receiver,
    string Summary,
    IReadOnlyList<IncidentAlert> Alerts,
    int TruncatedAlerts,
    string DedupeKey)
{
    public bool AnyFiring => Alerts.Any(a => a.IsFiring);
}
