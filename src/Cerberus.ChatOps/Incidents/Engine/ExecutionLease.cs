using Cerberus.ChatOps.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Who runs an incident's action: a named lease per incident (<c>execution:INC-…</c>) in the store, held by the
/// process that executes, reconciles or verifies, and renewed by a heartbeat while it does. Another process (a replica,
/// the break-glass CLI, the same host after a restart) touches the action only once the heartbeat has lapsed. Unlike
/// the worker leases, it is real on the SQLite store too: the CLI and the host are two processes on one file.
/// </summary>
internal sealed partial class ExecutionLease(
    ILeaseStore leases,
    IOptionsMonitor<IncidentOptions> options,
    TimeProvider time,
    ILogger<ExecutionLease> logger)
{
    /// <summary>
    /// This process, uniquely (host/pid/instance) — never the SQLite store's shared single-replica owner of the worker
    /// leases: the CLI and the host on one SQLite file are two owners here.
    /// </summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    private TimeProvider Time => time;

    private ILogger Logger => logger;

    private TimeSpan Ttl => options.CurrentValue.ExecutionHeartbeat;

    public static string Name(string incidentId) => "execution:" + incidentId;

    /// <summary>Takes (or renews) the incident's execution lease; false while another live process holds it.</summary>
    public Task<bool> TryTakeAsync(string incidentId, CancellationToken cancellationToken) =>
        leases.TryAcquireAsync(Name(incidentId), Owner, Ttl, cancellationToken);

    /// <summary>Lets the lease lapse now, so another process may continue at once (after the work, or on shutdown).</summary>
    public async Task ReleaseAsync(string incidentId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await leases.TryAcquireAsync(Name(incidentId), Owner, TimeSpan.Zero, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // It lapses by itself after the heartbeat interval.
            Log.ReleaseFailed(logger, incidentId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Renews the lease every third of its duration until disposed. When a renewal finds another owner (this
    /// process was too slow and the lease lapsed), <see cref="Heartbeat.Lost"/> is cancelled: the work stops at its
    /// next safe point rather than run beside the process that took over.
    /// </summary>
    public Heartbeat Beat(string incidentId, CancellationToken cancellationToken) => new(this, incidentId, cancellationToken);

    internal sealed class Heartbeat : IAsyncDisposable
    {
        private readonly ExecutionLease _lease;
        private readonly string _incidentId;
        private readonly CancellationTokenSource _lost;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Heartbeat(ExecutionLease lease, string incidentId, CancellationToken cancellationToken)
        {
            _lease = lease;
            _incidentId = incidentId;
            _lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _loop = RunAsync();
        }

        /// <summary>Cancelled when the work must stop: shutdown, or the lease now belongs to someone else.</summary>
        public CancellationToken Token => _lost.Token;

        public bool Lost { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
            _lost.Dispose();
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested && !_lost.IsCancellationRequested)
            {
                await Task.Delay(_lease.Ttl / 3, _lease.Time, _stop.Token);
                try
                {
                    if (!await _lease.TryTakeAsync(_incidentId, _stop.Token))
                    {
                        Lost = true;
                        Log.Lost(_lease.Logger, _incidentId);
                        await _lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A store hiccup: try again at the next beat; the lease outlives two missed beats.
                    Log.BeatFailed(_lease.Logger, _incidentId, ex.GetType().Name);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Incident {IncidentId}: the execution lease went to another process; stopping this one at its next safe point")]
        public static partial void Lost(ILogger logger, string incidentId);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Incident {IncidentId}: execution heartbeat failed ({Error}); retrying")]
        public static partial void BeatFailed(ILogger logger, string incidentId, string error);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not release the execution lease ({Error}); it lapses by itself")]
        public static partial void ReleaseFailed(ILogger logger, string incidentId, string error);
    }
}
