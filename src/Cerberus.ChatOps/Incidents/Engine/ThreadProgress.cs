using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Rendering;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Posts a running action's progress into the incident thread, at most once every <see cref="Interval"/> (batches
/// can be many): the latest report wins, and <see cref="FlushAsync"/> posts the one still pending when the action ends.
/// </summary>
internal sealed class ThreadProgress(IncidentMutator mutator, Incident incident, TimeProvider time) : IProgress<string>
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private string? _pending;
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public void Report(string value)
    {
        string? send = null;
        lock (_gate)
        {
            _pending = value;
            var now = time.GetUtcNow();
            if (now - _last >= Interval)
            {
                _last = now;
                send = _pending;
                _pending = null;
            }
        }

        if (send is not null)
        {
            _ = mutator.PostThreadAsync(incident, $":hourglass_flowing_sand: {Format.Safe(send)}", CancellationToken.None);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        string? send;
        lock (_gate)
        {
            send = _pending;
            _pending = null;
        }

        return send is null ? Task.CompletedTask : mutator.PostThreadAsync(incident, $":hourglass_flowing_sand: {Format.Safe(send)}", cancellationToken);
    }
}
