using System.Collections.Concurrent;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Slow work (diagnostics, proposals, executions) runs off the inbox loop, one job per key at a time, and is
/// cancelled on shutdown. What was running when the process died is found again from the store at start.
/// </summary>
internal sealed partial class BackgroundWork(IHostApplicationLifetime lifetime, ILogger<BackgroundWork> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);

    /// <summary>True while any job runs (the CLI waits for the work its command started).</summary>
    public bool IsBusy => _running.Values.Any(t => !t.IsCompleted);

    /// <summary>True while an action runs here (execution, reconciliation or verification).</summary>
    public bool IsExecuting => _running.Any(r => r.Key.StartsWith("execute:", StringComparison.Ordinal) && !r.Value.IsCompleted);

    public bool IsRunning(string key) => _running.TryGetValue(key, out var task) && !task.IsCompleted;

    /// <summary>Starts <paramref name="work"/> unless a job with the same key runs; false when it already does.</summary>
    public bool TryStart(string key, Func<CancellationToken, Task> work)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(key, out var existing) && !existing.IsCompleted)
            {
                return false;
            }

            _running[key] = Task.Run(() => RunAsync(key, work));
            return true;
        }
    }

    /// <summary>Waits for running jobs (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_running.Values);

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(string key, Func<CancellationToken, Task> work)
    {
        try
        {
            await work(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            Log.Cancelled(logger, key);
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, key);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Background work {Key} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string key);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Background work {Key} cancelled by shutdown; it resumes from the store at the next start")]
        public static partial void Cancelled(ILogger logger, string key);
    }
}
