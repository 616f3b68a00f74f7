namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// A Prometheus Alertmanager alert attached to an incident, as its webhook reported it last (texts bounded, secrets
/// removed by the caller).
/// </summary>
/// <param name="GroupKey">Alertmanager's groupKey: the notification group the alert came in.</param>
/// <param name="Fingerprint">The alert's fingerprint (stable for its label set).</param>
/// <param name="Name">Its alertname label.</param>
/// <param name="Status">"firing" or "resolved".</param>
/// <param name="Summary">Its summary (or description) annotation, or its labels when it has none.</param>
/// <param name="StartsAt">When Alertmanager says it started firing.</param>
/// <param name="EndsAt">When it resolved (null while firing).</param>
/// <param name="GeneratorUrl">The link back to the rule's expression in Prometheus.</param>
public sealed record IncidentAlert(
    string GroupKey,
    string Fingerprint,
    string Name,
    string Status,
    string Summary,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorUrl)
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    public bool IsFiring => string.Equals(Status, Firing, StringComparison.Ordinal);
}
