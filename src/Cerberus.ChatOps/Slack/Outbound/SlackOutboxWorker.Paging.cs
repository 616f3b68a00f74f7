using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Paging;

namespace Cerberus.ChatOps.Slack.Outbound;

internal sealed partial class SlackOutboxWorker
{
    /// <summary>Attempts before a PagerDuty event that keeps failing transiently is given up (and the thread told).</summary>
    public const int PagerDutyMaxAttempts = 12;

    /// <summary>
    /// One PagerDuty event: sent with the routing key added; a transient failure is retried with back-off (the
    /// dedup_key makes a repeat harmless), a refusal or the last attempt buries it and tells the incident's thread, so
    /// nobody believes a page went out that did not.
    /// </summary>
    private async Task<bool> PageAsync(OutboxItem item, string owner, IOutboxStore store, PagerDutyClient? pagerDuty, CancellationToken cancellationToken)
    {
        PagerDutyEvent? pagerEvent;
        try
        {
            pagerEvent = JsonSerializer.Deserialize<PagerDutyEvent>(item.Payload);
        }
        catch (JsonException)
        {
            pagerEvent = null;
        }

        if (pagerEvent is null || pagerDuty is null)
        {
            return await GiveUpPageAsync(store, owner, item, pagerEvent, pagerEvent is null ? "invalid_payload" : "pagerduty_not_configured", cancellationToken);
        }

        var attempt = item with { Status = OutboxStatus.InFlight, Attempts = item.Attempts + 1, NextAttemptAt = time.GetUtcNow() };
        if (!await UpdateAsync(store, owner, attempt, release: false, cancellationToken))
        {
            return false;
        }

        try
        {
            await pagerDuty.SendAsync(pagerEvent, cancellationToken);
            await UpdateAsync(store, owner, attempt with { Status = OutboxStatus.Sent, LastError = null }, release: true, cancellationToken);
            Log.Sent(logger, item.Id, item.Kind, attempt.Attempts);
            return true;
        }
        catch (PagerDutyException ex) when (ex.Transient && attempt.Attempts < PagerDutyMaxAttempts)
        {
            var delay = ex.RetryAfter ?? Backoff(attempt.Attempts);
            await UpdateAsync(store, owner, attempt with { Status = OutboxStatus.Pending, NextAttemptAt = time.GetUtcNow() + delay, LastError = ex.Error }, release: true, cancellationToken);
            Log.Rescheduled(logger, attempt.Id, attempt.Kind, ex.Error, delay.TotalSeconds);
            return false;
        }
        catch (PagerDutyException ex)
        {
            return await GiveUpPageAsync(store, owner, attempt, pagerEvent, ex.Error, cancellationToken);
        }
    }

    private async Task<bool> GiveUpPageAsync(IOutboxStore store, string owner, OutboxItem item, PagerDutyEvent? pagerEvent, string error, CancellationToken cancellationToken)
    {
        if (!await BuryAsync(store, owner, item, error, cancellationToken))
        {
            return false;
        }

        if (!string.IsNullOrEmpty(item.IncidentId))
        {
            var text = $":warning: PagerDuty did not take the {pagerEvent?.EventAction ?? "event"} for {item.IncidentId} after {item.Attempts} attempt(s): {error}. Page the on-call engineer another way.";
            await store.EnqueueAsync([new OutboxItem
            {
                Id = item.Id + "/pagerduty-failed",
                IncidentId = item.IncidentId,
                Kind = OutboxKinds.Thread,
                Channel = string.Empty,
                Payload = SlackMessageJson.Serialize(Incidents.Rendering.IncidentMessages.Text(text)),
                MessageRef = Incidents.Engine.OutboxBatch.HeaderRef,
                CreatedAt = time.GetUtcNow(),
                NextAttemptAt = time.GetUtcNow(),
            }], cancellationToken);
        }

        return true;
    }
}
