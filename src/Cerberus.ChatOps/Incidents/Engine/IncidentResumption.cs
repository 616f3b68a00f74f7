using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Rendering;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Resumption and timers: after a start (or on taking over the timers from a dead replica) diagnostics that were
/// running run again and executions are resumed; each timer pass expires approvals, sends RTO reminders and picks
/// up executions whose owner's heartbeat lapsed.
/// </summary>
internal sealed partial class IncidentResumption(
    IncidentMutator mutator,
    IIncidentStore store,
    IOptionsMonitor<IncidentOptions> options,
    DiagnosticsRuns diagnosticsRuns,
    ActionExecution executor,
    BackgroundWork work,
    TimeProvider time,
    ILogger<IncidentResumption> logger)
{
    private IncidentOptions Options => options.CurrentValue;

    /// <summary>
    /// After a start (or on taking over the timers from a dead replica): diagnostics that were running run again;
    /// an action approved but never started is not run behind anyone's back; an action left Started is reconciled
    /// against reality before anything else happens; an executed action is verified.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var summary in await store.ListAsync(openOnly: true, limit: 500, cancellationToken))
        {
            var incident = await store.GetAsync(summary.Id, cancellationToken);
            if (incident is null)
            {
                continue;
            }

            using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentId"] = incident.Id });
            if (incident.State == IncidentState.Diagnosing && !work.IsRunning("diagnose:" + incident.Id))
            {
                Log.Resuming(logger, incident.Id, "diagnostics");
                diagnosticsRuns.StartDiagnostics(incident.Id);
            }

            executor.ResumeExecution(incident, immediately: false);
        }
    }

    /// <summary>
    /// Sets the incident gauges read from the store (every replica sees the same numbers): incidents by state and the
    /// largest share of the RTO used by an open real incident not yet mitigated (a drill, or an incident mitigated and
    /// left open for the review, is not recovering against the RTO).
    /// </summary>
    public async Task RefreshMetricsAsync(CancellationToken cancellationToken)
    {
        var recent = await store.ListAsync(openOnly: false, limit: 1000, cancellationToken);
        CerberusMetrics.SetIncidentCounts(recent.GroupBy(i => i.State).ToDictionary(g => g.Key, g => g.Count()));
        var now = time.GetUtcNow();
        var drills = recent.Where(i => i.Drill).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var recovering = (await store.ListOpenClocksAsync(limit: 500, cancellationToken))
            .Where(c => c.State != IncidentState.Mitigated && !drills.Contains(c.Id));
        CerberusMetrics.SetRtoBudgetUsed(recovering, now);
    }

    /// <summary>
    /// One pass of the timers: approval expiry, RTO reminders and lapsed executions. It reads the timer columns of
    /// the open incidents and loads only the documents that have something due.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reminders = Options.RtoReminders;
        foreach (var clock in await store.ListOpenClocksAsync(limit: 500, cancellationToken))
        {
            if (!clock.IsDue(now, reminders))
            {
                continue;
            }

            var incident = await store.GetAsync(clock.Id, cancellationToken);
            if (incident is null || !incident.IsOpen)
            {
                continue;
            }

            // An action whose process died mid-run (its heartbeat lapsed) is picked up by whoever runs the timers.
            if (incident.State is IncidentState.Executing or IncidentState.Verifying)
            {
                executor.ResumeExecution(incident, immediately: false);
            }

            var current = IncidentClock.Of(incident);
            var expiring = current.ApprovalExpired(now);
            var due = current.DueReminders(now, reminders);
            if (!expiring && due.Count == 0)
            {
                continue;
            }

            await mutator.MutateAsync(incident.Id, (i, batch, at) =>
            {
                foreach (var expired in i.ExpireApprovals(at))
                {
                    batch.Thread(IncidentMessages.Decided(i, expired, ":hourglass: the approval expired; nothing ran. Propose it again if it is still needed."));
                }

                foreach (var percent in due.Where(p => i.RecordReminder(p, at)))
                {
                    var left = Incident.RecoveryTimeObjective - (at - (i.DetectedAt ?? i.DeclaredAt));
                    var commander = Format.User(i.Commander);
                    batch.Thread(IncidentMessages.Text($":alarm_clock: {IncidentMessages.Tag(i)}{percent}% of the 4 h RTO has passed for {i.Id}: {Durations.Format(left)} left. {commander}, state: {IncidentMessages.StateText(i)}. Next: {IncidentMessages.NextStep(i)}"));
                }

                return DomainResult.Ok();
            }, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Incident {IncidentId}: resuming {What} after a restart")]
        public static partial void Resuming(ILogger logger, string incidentId, string what);
    }
}
