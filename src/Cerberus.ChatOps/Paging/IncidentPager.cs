using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Paging;

/// <summary>
/// When an incident pages: trigger when a CRITICAL real incident is declared and on escalate, acknowledge when a
/// roster member takes command, resolve when it is resolved or cancelled. Drills never page. Each event goes out
/// through the outbox with the incident's change (dedup_key = the incident id), so it is retried, never lost, and
/// a retried trigger never pages twice.
/// </summary>
internal sealed class IncidentPager(IOptionsMonitor<PagerDutyOptions> options)
{
    public bool Enabled => options.CurrentValue.Enabled;

    public void Trigger(Incident incident, OutboxBatch batch, string why, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(batch);
        if (!Pages(incident) || (incident.Severity != Severity.Critical && why == Declared))
        {
            return;
        }

        batch.Page(new PagerDutyEvent
        {
            EventAction = PagerDutyEvent.Trigger,
            DedupKey = incident.Id,
            Payload = new PagerDutyPayload
            {
                Summary = Bound($"[{incident.Id}] {why}: {incident.Summary}"),
                Source = options.CurrentValue.Source,
                Severity = incident.Severity switch { Severity.Critical => "critical", Severity.Major => "error", _ => "warning" },
                Timestamp = now,
                Class = incident.Classification?.ToString(),
                CustomDetails = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["incident"] = incident.Id,
                    ["state"] = incident.State.ToString(),
                    ["declared_by"] = incident.DeclaredBy,
                    ["slack_channel"] = incident.Channel,
                },
            },
        });
    }

    public void Acknowledge(Incident incident, OutboxBatch batch)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(batch);
        if (Pages(incident))
        {
            batch.Page(new PagerDutyEvent { EventAction = PagerDutyEvent.Acknowledge, DedupKey = incident.Id });
        }
    }

    public void Resolve(Incident incident, OutboxBatch batch)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(batch);
        if (Pages(incident))
        {
            batch.Page(new PagerDutyEvent { EventAction = PagerDutyEvent.Resolve, DedupKey = incident.Id });
        }
    }

    public const string Declared = "declared";
    public const string Escalated = "escalated";

    private bool Pages(Incident incident) => Enabled && !incident.Drill;

    /// <summary>PagerDuty takes at most 1024 characters of summary.</summary>
    private static string Bound(string text) => text.Length <= 1024 ? text : text[..1023] + "…";
}
