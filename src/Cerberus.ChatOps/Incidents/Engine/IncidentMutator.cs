using System.Collections.Concurrent;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Where Slack meets the domain: every change loads the incident, fires an intent method on its state machine and
/// saves it together with the messages it causes (one transaction, optimistic version); work on one incident is
/// serialised in process, and the version check makes several replicas safe. Replies that change nothing go
/// straight to the outbox.
/// </summary>
internal sealed partial class IncidentMutator(
    IIncidentStore store,
    IOutboxStore outbox,
    OutboxSignal outboxSignal,
    IOptionsMonitor<IncidentOptions> options,
    TimeProvider time,
    ILogger<IncidentMutator> logger)
{
    internal const string NoOpenIncident = "There is no open incident in this channel. `/dbincident start <summary>` opens one; `/dbincident list` shows recent ones.";

    private const int MaxSaveAttempts = 5;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Serialises declarations in one channel (one open incident per channel).</summary>
    public SemaphoreSlim ChannelGate(string channel) => _locks.GetOrAdd("channel:" + channel, _ => new SemaphoreSlim(1, 1));

    internal async Task PostThreadAsync(Incident incident, string text, CancellationToken cancellationToken)
    {
        var batch = new OutboxBatch(incident.Id, incident.Version + 1, incident.Channel, time.GetUtcNow());
        batch.Thread(IncidentMessages.Text(text));
        await outbox.EnqueueAsync(batch.Items.Select(i => i with { Id = $"{i.Id}/p{Guid.NewGuid():N}" }).ToList(), cancellationToken);
        outboxSignal.Notify();
    }

    /// <summary>The common shape of a change: on success a line in the thread, otherwise the refusal privately to the asker.</summary>
    internal static DomainResult ThreadOrRefuse(DomainResult result, OutboxBatch batch, ReplyTarget reply, Func<string> onSuccess)
    {
        if (result.Succeeded)
        {
            batch.Thread(IncidentMessages.Text(onSuccess()));
        }
        else
        {
            batch.Reply(reply, IncidentMessages.Text(IncidentReplies.Text(result)));
        }

        return result;
    }

    public Task ReplyAsync(ReplyTarget reply, string text, CancellationToken cancellationToken) =>
        ReplyAsync(reply, text, null, cancellationToken);

    public async Task ReplyAsync(ReplyTarget reply, string? text, SlackMessage? message, CancellationToken cancellationToken)
    {
        var batch = new OutboxBatch("", 0, reply.ChannelId, time.GetUtcNow());
        batch.Reply(reply, message ?? IncidentMessages.Text(text ?? string.Empty));
        if (batch.Items.Count == 0)
        {
            return;
        }

        await outbox.EnqueueAsync(batch.Items.Select(i => i with { Id = "reply/" + Guid.NewGuid().ToString("N") }).ToList(), cancellationToken);
        outboxSignal.Notify();
    }

    public async Task OnOpenIncidentInChannelAsync(string channel, ReplyTarget reply, Func<Incident, OutboxBatch, DateTimeOffset, DomainResult> change, CancellationToken cancellationToken)
    {
        var incident = await store.FindOpenInChannelAsync(channel, cancellationToken);
        if (incident is null)
        {
            await ReplyAsync(reply, NoOpenIncident, cancellationToken);
            return;
        }

        await MutateAsync(incident.Id, change, cancellationToken);
    }

    /// <summary>
    /// Load → change → save with the messages, under the incident's lock; on a version conflict (another replica
    /// won) reload and decide again. The change must be a function of the loaded incident only.
    /// </summary>
    public async Task<MutationOutcome> MutateAsync(string incidentId, Func<Incident, OutboxBatch, DateTimeOffset, DomainResult> change, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentId"] = incidentId });
        var gate = _locks.GetOrAdd(incidentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var incident = await store.GetAsync(incidentId, cancellationToken);
                if (incident is null)
                {
                    return new MutationOutcome(new EngineRefusal.NoSuchIncident(incidentId), null);
                }

                var now = time.GetUtcNow();
                var before = (incident.State, incident.Commander, incident.Timeline.Count, Diagnosis: incident.LatestDiagnosis, incident.ReportMarkdown, incident.LeaderWatch);
                var finishedBefore = incident.Actions.Where(a => a.IsFinal).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
                var batch = new OutboxBatch(incident, now);
                var result = change(incident, batch, now);
                var changed = incident.Timeline.Count != before.Count || incident.State != before.State
                    || !ReferenceEquals(incident.ReportMarkdown, before.ReportMarkdown) || !ReferenceEquals(incident.LeaderWatch, before.LeaderWatch);
                if ((incident.State, incident.Commander, incident.LatestDiagnosis) != (before.State, before.Commander, before.Diagnosis))
                {
                    batch.UpdateHeader(IncidentMessages.Header(incident, options.CurrentValue.Contacts, now));
                }

                if (!changed && batch.Items.Count == 0)
                {
                    return new MutationOutcome(result, incident);
                }

                try
                {
                    if (changed)
                    {
                        await store.SaveAsync(incident, batch.Items, cancellationToken);
                    }
                    else
                    {
                        await outbox.EnqueueAsync(batch.Items.Select(i => i with { Id = $"{i.Id}/r{Guid.NewGuid():N}" }).ToList(), cancellationToken);
                    }

                    outboxSignal.Notify();
                    foreach (var finished in incident.Actions.Where(a => a.IsFinal && !finishedBefore.Contains(a.Id)))
                    {
                        CerberusMetrics.ActionFinished(finished.Kind, finished.Status);
                    }

                    if (incident.State != before.State)
                    {
                        Log.Transitioned(logger, incident.Id, before.State, incident.State);
                    }

                    return new MutationOutcome(result, incident);
                }
                catch (ConcurrencyConflictException) when (attempt < MaxSaveAttempts)
                {
                    Log.Conflict(logger, incidentId, attempt);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Incident {IncidentId}: {From} → {To}")]
        public static partial void Transitioned(ILogger logger, string incidentId, IncidentState from, IncidentState to);

        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Incident {IncidentId}: version conflict (attempt {Attempt}), reloading")]
        public static partial void Conflict(ILogger logger, string incidentId, int attempt);
    }
}
