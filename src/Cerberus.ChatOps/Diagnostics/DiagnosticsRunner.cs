using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics;

/// <summary>
/// Runs probes in parallel, each started on its own thread under its own <see cref="IDiagnosticProbe.Timeout"/>, twice
/// bounded: a cancellation token that expires at the timeout, and a guard that stops waiting at timeout +
/// <see cref="Grace"/> for a probe that ignores its token (or blocks its thread). Whatever a probe does — throw,
/// hang, return null — the report comes back with one result per probe, in a stable order, then classified.
/// </summary>
internal sealed partial class DiagnosticsRunner(IEnumerable<IDiagnosticProbe> probes, TimeProvider time, ILogger<DiagnosticsRunner> logger)
    : IDiagnosticsRunner
{
    /// <summary>How long past its timeout a probe may take before the runner stops waiting for it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    /// <summary>The order results appear in: the runbook's order (is it up, connections, replication, disk, cluster, platform, app).</summary>
    private static readonly string[] Order =
    [
        ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Replication, ProbeNames.Disk, ProbeNames.Wraparound,
        ProbeNames.Patroni, ProbeNames.Volume, ProbeNames.Kubernetes, ProbeNames.App,
    ];

    public async Task<DiagnosisReport> RunAsync(IReadOnlyCollection<string>? onlyProbes, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var selected = probes
            .Where(p => onlyProbes is null || onlyProbes.Contains(SafeName(p), StringComparer.OrdinalIgnoreCase))
            .ToList();
        var results = await Task.WhenAll(selected.Select(p => RunOneAsync(p, cancellationToken)));
        var ordered = results
            .OrderBy(r => Array.IndexOf(Order, r.Probe) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(r => r.Probe, StringComparer.Ordinal)
            .ToList();
        var verdict = DiagnosisClassifier.Classify(ordered);
        var finishedAt = time.GetUtcNow();
        Log.Classified(logger, verdict.Classification, ordered.Count, (finishedAt - startedAt).TotalMilliseconds, verdict.Sentence);
        foreach (var result in ordered)
        {
            Hosting.Metrics.CerberusMetrics.ProbeFinished(result.Probe, result.Status, result.Duration);
        }

        return new DiagnosisReport(startedAt, finishedAt, ordered, verdict.Classification, verdict.Sentence, verdict.Recommended);
    }

    private async Task<ProbeResult> RunOneAsync(IDiagnosticProbe probe, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var name = SafeName(probe);
        TimeSpan timeout;
        try
        {
            timeout = probe.Timeout > TimeSpan.Zero ? probe.Timeout : TimeSpan.FromSeconds(1);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Unknown(name, $"{name} could not tell its timeout: {ex.GetType().Name}", started);
        }

        // Not disposed with 'using': a probe that ignores its token may still hold them after the guard fires.
        var budget = new CancellationTokenSource(timeout, time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var guardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The synchronous start of a probe runs on its own thread (LongRunning), so a probe that blocks before its
        // first await can neither hold the runner nor starve the thread pool the guard's timer continues on.
        var work = Task.Factory.StartNew(() => probe.RunAsync(linked.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        _ = work.ContinueWith(_ =>
        {
            linked.Dispose();
            budget.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var guard = Task.Delay(timeout + Grace, time, guardStop.Token);
        var first = await Task.WhenAny(work, guard);
        await guardStop.CancelAsync();
        guardStop.Dispose();

        if (first != work)
        {
            // Observe the abandoned task's fault so it never surfaces as an unobserved exception.
            _ = work.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (cancellationToken.IsCancellationRequested)
            {
                return Unknown(name, $"{name} was cancelled before it answered", started);
            }

            Log.Abandoned(logger, name, timeout.TotalSeconds);
            return Unknown(name, $"{name} did not answer within its {Durations.Format(timeout)} timeout", started);
        }

        try
        {
            var result = await work;
            if (result is null)
            {
                return Unknown(name, $"{name} returned no result", started);
            }

            Log.Finished(logger, name, result.Status, result.Duration.TotalMilliseconds);
            return string.Equals(result.Probe, name, StringComparison.Ordinal) ? result : result with { Probe = name };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Unknown(name, $"{name} was cancelled before it answered", started);
        }
        catch (OperationCanceledException)
        {
            return Unknown(name, $"{name} timed out after {Durations.Format(timeout)}", started);
        }
        catch (Exception ex)
        {
            var text = SecretRedactor.Redact(ex.Message);
            Log.Failed(logger, name, ex.GetType().Name, text);
            return Unknown(name, $"{name} failed: {ex.GetType().Name}: {(text.Length > 160 ? text[..160] + "..." : text)}", started);
        }
    }

    private ProbeResult Unknown(string name, string summary, long started) =>
        ProbeResult.Of(name, ProbeStatus.Unknown, SecretRedactor.Redact(summary), time.GetElapsedTime(started));

    private static string SafeName(IDiagnosticProbe probe)
    {
        try
        {
            return probe.Name ?? probe.GetType().Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return probe.GetType().Name;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Probe {Probe} finished: {Status} in {DurationMs:0} ms")]
        public static partial void Finished(ILogger logger, string probe, ProbeStatus status, double durationMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Probe {Probe} ignored its {TimeoutSeconds} s timeout; reported UNKNOWN without waiting further")]
        public static partial void Abandoned(ILogger logger, string probe, double timeoutSeconds);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Probe {Probe} threw {ExceptionType}: {Text}")]
        public static partial void Failed(ILogger logger, string probe, string exceptionType, string text);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Diagnosis {Classification} from {Count} probes in {ElapsedMs:0} ms: {Sentence}")]
        public static partial void Classified(ILogger logger, Classification classification, int count, double elapsedMs, string sentence);
    }
}
