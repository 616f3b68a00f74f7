using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Hosting.Metrics;

/// <summary>
/// Reads the inbox and outbox backlogs from the store into their gauges. Every replica runs it on its timer pass,
/// lease or not, so no replica reports a stale backlog after another took over the workers.
/// </summary>
internal sealed class QueueMetrics(IOutboxStore outbox, IInboxStore inbox, TimeProvider time)
{
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var outgoing = await outbox.BacklogAsync(cancellationToken);
        var incoming = await inbox.BacklogAsync(cancellationToken);
        CerberusMetrics.SetQueueBacklogs(outgoing, incoming, time.GetUtcNow());
    }
}
