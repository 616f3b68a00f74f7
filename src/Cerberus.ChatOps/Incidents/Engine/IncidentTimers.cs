using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Hosting.Metrics;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// RTO reminders, approval expiry, resumption after a restart, and the leader watch (<see cref="LeaderWatcher"/>). With several replicas only the holder of the
/// "incident-timers" lease runs them; when it dies its lease lapses and another replica takes over (and resumes).
/// </summary>
internal sealed partial class IncidentTimers(
    IncidentResumption resumption,
    LeaderWatcher leaderWatch,
    QueueMetrics queues,
    ProcessLease lease,
    IOptionsMonitor<IncidentOptions> options,
    TimeProvider time,
    ILogger<IncidentTimers> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var holding = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var interval = options.CurrentValue.TimerInterval;
            try
            {
                var acquired = await lease.TryHoldAsync(ProcessLease.Timers, interval * 3, stoppingToken);
                if (acquired && !holding)
                {
                    Log.TookOver(logger, lease.Owner);
                    await resumption.ResumeAsync(stoppingToken);
                }

                holding = acquired;
                if (acquired)
                {
                    await resumption.TickAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, ex);
            }

            // The leader watch on its own: a hung Patroni member never holds up an expiry (it comes after them), and
            // its failure never stops the timers.
            if (holding)
            {
                try
                {
                    await leaderWatch.TickAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.WatchFailed(logger, ex);
                }
            }

            // After the timers, on their own: a slow or failing metrics query never holds up a reminder or an expiry.
            try
            {
                await resumption.RefreshMetricsAsync(stoppingToken);
                await queues.RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.MetricsFailed(logger, ex);
            }

            await Task.Delay(interval, time, stoppingToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Timers taken by {Owner}: resuming open incidents")]
        public static partial void TookOver(ILogger logger, string owner);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Timer pass failed; trying again next interval")]
        public static partial void Failed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Refreshing the incident and queue gauges failed; they keep their last values")]
        public static partial void MetricsFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Leader watch pass failed; trying again next interval")]
        public static partial void WatchFailed(ILogger logger, Exception exception);
    }
}
