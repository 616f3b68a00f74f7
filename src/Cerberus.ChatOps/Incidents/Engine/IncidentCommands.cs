using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Declaring and the slash commands that change or read an incident: start (with its own channel), status, list,
/// ic, note, escalate, resolve, cancel, close. Refusals go privately to the asker and into the timeline.
/// </summary>
internal sealed partial class IncidentCommands(
    IncidentMutator mutator,
    IIncidentStore store,
    OutboxSignal outboxSignal,
    IOptionsMonitor<IncidentOptions> options,
    IncidentChannelOpener channels,
    ApproverRoster roster,
    UserRateLimiter rateLimiter,
    DiagnosticsRuns diagnosticsRuns,
    ReportWriter reports,
    TimeProvider time,
    ILogger<IncidentCommands> logger)
{
    private IncidentOptions Options => options.CurrentValue;

    public async Task<string?> StartAsync(string channel, string actor, string summary, bool drill, ReplyTarget reply, CancellationToken cancellationToken, string? commandText = null)
    {
        if (!rateLimiter.TryAcquire(RateLimitedOperation.Start, actor))
        {
            var limits = Options.RateLimit;
            Log.RateLimited(logger, actor, "start");
            CerberusMetrics.AccessRefused("rate_limit");
            await mutator.ReplyAsync(reply, $":raised_hand: You have declared {limits.StartsPerUser} incidents in the last {Durations.Format(limits.Window)}; that is the limit per person. If the database is down, `/dbincident status` in the incident's channel shows the open one, or ask a colleague to declare.", cancellationToken);
            return null;
        }

        var channelGate = mutator.ChannelGate(channel);
        await channelGate.WaitAsync(cancellationToken);
        try
        {
            if (await store.FindOpenInChannelAsync(channel, cancellationToken) is { } open)
            {
                await mutator.ReplyAsync(reply, $"{IncidentMessages.Tag(open)}*{open.Id}* is already open in this channel ({IncidentMessages.StateText(open)}, commander {Format.User(open.Commander)}). Work in its thread, or `/dbincident status`.", cancellationToken);
                return open.Id;
            }

            var now = time.GetUtcNow();
            var id = await store.AllocateIncidentIdAsync(now, cancellationToken);
            var incident = Incident.Declare(id, channel, summary, actor, now, drill);
            incident.RecordCommand(actor, commandText ?? (drill ? $"/dbincident drill {summary}" : $"/dbincident start {summary}"), now);
            incident.BeginDiagnosis(Incident.BotActor, now);
            var batch = new OutboxBatch(incident, now);
            var header = IncidentMessages.Header(incident, Options.Contacts, now);
            if (channels.Enabled)
            {
                // Opened by the outbox, not under this gate: until then the incident is worked here (and found here).
                incident.AwaitChannel();
                batch.OpenChannel(header, channels.Request(id, incident.Summary, actor));
            }
            else
            {
                batch.PostHeader(header);
            }

            await store.SaveAsync(incident, batch.Items, cancellationToken);
            outboxSignal.Notify();
            CerberusMetrics.IncidentDeclared();
            Log.Declared(logger, id, channel, drill);
            diagnosticsRuns.StartDiagnostics(id);
            return id;
        }
        finally
        {
            channelGate.Release();
        }
    }

    public async Task<string?> OpenIncidentIdAsync(string channel, CancellationToken cancellationToken) =>
        (await store.FindOpenInChannelAsync(channel, cancellationToken))?.Id;

    public async Task StatusAsync(string channel, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var incident = await store.FindOpenInChannelAsync(channel, cancellationToken);
        await mutator.ReplyAsync(reply, incident is null ? IncidentMutator.NoOpenIncident : null, incident is null ? null : IncidentMessages.Status(incident, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Recent incidents: all of them for the roster, only this channel's for everyone else.</summary>
    public async Task ListAsync(string channel, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await roster.PolicyAsync(cancellationToken);
        var everywhere = policy.May(IncidentOperation.ReadOtherChannels, actor, commander: string.Empty, drill: false);
        var incidents = everywhere
            ? await store.ListAsync(openOnly: false, limit: 15, cancellationToken)
            : [.. (await store.ListAsync(openOnly: false, limit: 200, cancellationToken)).Where(i => string.Equals(i.Channel, channel, StringComparison.Ordinal)).Take(15)];
        await mutator.ReplyAsync(reply, null, IncidentMessages.List(incidents, everywhere), cancellationToken);
    }

    public Task HelpAsync(ReplyTarget reply, string? problem, CancellationToken cancellationToken) =>
        mutator.ReplyAsync(reply, null, IncidentMessages.Help(problem), cancellationToken);

    public async Task ChangeCommanderAsync(string channel, string actor, string newCommander, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await roster.PolicyAsync(cancellationToken);
        await mutator.OnOpenIncidentInChannelAsync(channel, reply, (incident, batch, now) => IncidentMutator.ThreadOrRefuse(
            incident.ChangeCommander(newCommander, actor, policy, now), batch, reply,
            () => $"{Format.User(newCommander)} is now the incident commander (handed over by {Format.User(actor)})."
                + (policy.IsOnRoster(newCommander) || incident.Drill ? string.Empty : $" They are not on the approver roster: they may propose, but a roster member approves.")), cancellationToken);
    }

    public Task NoteAsync(string channel, string actor, string text, ReplyTarget reply, CancellationToken cancellationToken) =>
        mutator.OnOpenIncidentInChannelAsync(channel, reply, (incident, batch, now) =>
        {
            var result = incident.AddNote(actor, SecretRedactor.Redact(text), now);
            batch.Reply(reply, IncidentMessages.Text(result.Succeeded ? $":memo: Noted in the {incident.Id} timeline." : IncidentReplies.Text(result)));
            if (result.Succeeded)
            {
                batch.Thread(IncidentMessages.Text($":memo: {Format.User(actor)}: {Format.Safe(text)}"));
            }

            return result;
        }, cancellationToken);

    public async Task EscalateAsync(string incidentId, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var contacts = Options.Contacts;
        var who = IncidentMessages.ContactLine(contacts.Escalation, contacts.EscalationSlack, contacts.EscalationEmail);
        var outcome = await mutator.MutateAsync(incidentId, (incident, batch, now) => IncidentMutator.ThreadOrRefuse(
            incident.Escalate(actor, $"{contacts.Escalation} ({contacts.EscalationEmail})", now), batch, reply,
            () => $":sos: {Format.User(actor)} escalated {incident.Id} to {who}. Please join this thread: {Format.Safe(incident.Summary)} — {IncidentMessages.StateText(incident)}."), cancellationToken);
        if (outcome.Incident is null)
        {
            await mutator.ReplyAsync(reply, IncidentReplies.Text(outcome.Result), cancellationToken);
        }
    }

    public async Task ResolveAsync(string channel, string actor, string rootCause, bool force, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var incident = await store.FindOpenInChannelAsync(channel, cancellationToken);
        if (incident is null)
        {
            await mutator.ReplyAsync(reply, IncidentMutator.NoOpenIncident, cancellationToken);
            return;
        }

        var policy = await roster.PolicyAsync(cancellationToken);
        var outcome = await mutator.MutateAsync(incident.Id, (i, batch, now) =>
        {
            var result = i.Resolve(actor, string.IsNullOrWhiteSpace(rootCause) ? null : SecretRedactor.Redact(rootCause), force, policy, now);
            if (!result.Succeeded)
            {
                batch.Reply(reply, IncidentMessages.Text(IncidentReplies.Text(result)));
                return result;
            }

            batch.Thread(IncidentMessages.Text($":large_green_circle: {Format.User(actor)} resolved {i.Id} after {Durations.Format(now - (i.DetectedAt ?? i.DeclaredAt))}."
                + (i.RootCause is null ? " No root cause given: the document marks the diagnosis as a hypothesis; add one with `/dbincident note root cause: …`." : $" Root cause: {Format.Safe(i.RootCause)}")));
            return result;
        }, cancellationToken);
        if (outcome.Result.Succeeded)
        {
            Log.Resolved(logger, incident.Id);
            reports.StartReport(incident.Id);
        }
    }

    public async Task CancelAsync(string channel, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await roster.PolicyAsync(cancellationToken);
        await mutator.OnOpenIncidentInChannelAsync(channel, reply, (incident, batch, now) => IncidentMutator.ThreadOrRefuse(
            incident.Cancel(actor, policy, now), batch, reply,
            () => $"{Format.User(actor)} cancelled {incident.Id} (declared by mistake). Cancelled incidents get no post-incident document."), cancellationToken);
    }

    public async Task CloseAsync(string channel, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var recent = await store.ListAsync(openOnly: false, limit: 50, cancellationToken);
        var resolved = recent.FirstOrDefault(i => string.Equals(i.Channel, channel, StringComparison.Ordinal) && i.State == IncidentState.Resolved);
        if (resolved is null)
        {
            await mutator.ReplyAsync(reply, "There is no resolved incident in this channel to close.", cancellationToken);
            return;
        }

        var policy = await roster.PolicyAsync(cancellationToken);
        await mutator.MutateAsync(resolved.Id, (incident, batch, now) =>
        {
            var result = incident.Close(actor, policy, now);
            batch.Reply(reply, IncidentMessages.Text(result.Succeeded ? $"{incident.Id} is closed." : IncidentReplies.Text(result)));
            return result;
        }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Incident {IncidentId} declared in {Channel} (drill: {Drill})")]
        public static partial void Declared(ILogger logger, string incidentId, string channel, bool drill);

        [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Incident {IncidentId} resolved")]
        public static partial void Resolved(ILogger logger, string incidentId);

        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "User {User} is over the per-user limit of {Operation}; refused politely")]
        public static partial void RateLimited(ILogger logger, string user, string operation);
    }
}
