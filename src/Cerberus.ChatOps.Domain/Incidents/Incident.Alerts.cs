namespace Cerberus.ChatOps.Domain.Incidents;

public sealed partial class Incident
{
    /// <summary>Alerts kept per incident; a larger group is counted in the timeline, not kept one by one.</summary>
    public const int MaxAlerts = 50;

    /// <summary>The Alertmanager alerts attached to this incident (the latest state of each), in arrival order.</summary>
    public IReadOnlyList<IncidentAlert> Alerts => _alerts;

    /// <summary>The notification group that declared the incident, or the first one attached to it; null without alerts.</summary>
    public string? AlertGroupKey => _alerts.Count > 0 ? _alerts[0].GroupKey : null;

    /// <summary>
    /// Attaches an alert or records its new status. A firing alert that started before the incident's detection time
    /// moves detection back to it (the report measures from there). A resolved alert is noted, never resolves the
    /// incident: only people do. False when nothing changed (the same alert in the same state again).
    /// </summary>
    public bool RecordAlert(IncidentAlert alert, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var index = _alerts.FindIndex(a => string.Equals(a.Fingerprint, alert.Fingerprint, StringComparison.Ordinal));
        if (index >= 0 && string.Equals(_alerts[index].Status, alert.Status, StringComparison.Ordinal) && _alerts[index].StartsAt == alert.StartsAt)
        {
            return false;
        }

        if (index >= 0)
        {
            _alerts[index] = alert;
        }
        else if (_alerts.Count < MaxAlerts)
        {
            _alerts.Add(alert);
        }

        if (alert.IsFiring && alert.StartsAt < (DetectedAt ?? DeclaredAt))
        {
            DetectedAt = alert.StartsAt;
        }

        var text = alert.IsFiring
            ? $"alert firing: {alert.Name} — {alert.Summary} (since {alert.StartsAt:yyyy-MM-dd HH:mm:ss} UTC)"
            : $"alert resolved: {alert.Name} — {alert.Summary}{(alert.EndsAt is { } end ? $" (at {end:yyyy-MM-dd HH:mm:ss} UTC)" : string.Empty)}; the incident stays open until it is resolved";
        _timeline.Add(new TimelineEntry(at, TimelineKind.Alert, AlertmanagerActor, text));
        return true;
    }

    /// <summary>The actor of what Alertmanager did (declared, attached an alert).</summary>
    public const string AlertmanagerActor = "alertmanager";
}
