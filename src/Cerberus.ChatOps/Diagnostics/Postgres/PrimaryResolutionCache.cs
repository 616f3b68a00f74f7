namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// One resolution shared by the database probes of one run (they start together): a resolution started less than
/// <see cref="Reuse"/> ago is reused, so the four probes ask Patroni once and all look at the same server.
/// </summary>
internal sealed class PrimaryResolutionCache(TimeProvider time)
{
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<PrimaryResolution>? _task;
    private long _started;

    public Task<PrimaryResolution> GetOrStart(Func<Task<PrimaryResolution>> start)
    {
        lock (_gate)
        {
            if (_task is not null && time.GetElapsedTime(_started) < Reuse)
            {
                return _task;
            }

            _started = time.GetTimestamp();
            _task = start();
            return _task;
        }
    }
}
