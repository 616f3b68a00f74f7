using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Drill;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Reports;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Where Slack meets the domain. Every change loads the incident, fires an intent method on its state machine and
/// saves it together with the messages it causes (one transaction, optimistic version); work on one incident is
/// serialised in process, and the version check makes several replicas safe. Slow work (diagnostics, proposals,
/// executions) runs in the background and comes back as further changes.
/// </summary>
internal sealed partial class IncidentEngine(
    IIncidentStore store,
    IOutboxStore outbox,
    IOutboxSignal outboxSignal,
    IDiagnosticsRunner diagnostics,
    IEnumerable<IRemediationAction> actions,
    IOptionsMonitor<IncidentOptions> options,
    IntegrityCheck integrity,
    IncidentChannelOpener channels,
    ApproverRoster roster,
    UserRateLimiter rateLimiter,
    ExecutionLease execution,
    BackgroundWork work,
    TimeProvider time,
    ILogger<IncidentEngine> logger,
    DrillBackend? drill = null)
{
    private const int MaxSaveAttempts = 5;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly Dictionary<RemediationKind, IRemediationAction> _actions = actions.GroupBy(a => a.Kind).ToDictionary(g => g.Key, g => g.First());

    private readonly DrillBackend _drill = drill ?? new DrillBackend(time);

    private IncidentOptions Options => options.CurrentValue;

    public IReadOnlyCollection<RemediationKind> AvailableActions => _actions.Keys;

    /// <summary>The access policy in force now: the resolved approver roster, the second-person rule, the expiry.</summary>
    public Task<ApprovalPolicy> PolicyAsync(CancellationToken cancellationToken) => roster.PolicyAsync(cancellationToken);

    // ---------------------------------------------------------------- commands

    public async Task<string?> StartAsync(string channel, string actor, string summary, bool drill, ReplyTarget reply, CancellationToken cancellationToken)
    {
        if (!rateLimiter.TryAcquire(RateLimitedOperation.Start, actor))
        {
            var limits = Options.RateLimit;
            Log.RateLimited(logger, actor, "start");
            CerberusMetrics.AccessRefused("rate_limit");
            await ReplyAsync(reply, $":raised_hand: You have declared {limits.StartsPerUser} incidents in the last {Format.Duration(limits.Window)}; that is the limit per person. If the database is down, `/dbincident status` in the incident's channel shows the open one, or ask a colleague to declare.", cancellationToken);
            return null;
        }

        var channelGate = _locks.GetOrAdd("channel:" + channel, _ => new SemaphoreSlim(1, 1));
        await channelGate.WaitAsync(cancellationToken);
        try
        {
            if (await store.FindOpenInChannelAsync(channel, cancellationToken) is { } open)
            {
                await ReplyAsync(reply, $"{IncidentMessages.Tag(open)}*{open.Id}* is already open in this channel ({IncidentMessages.StateText(open)}, commander {Format.User(open.Commander)}). Work in its thread, or `/dbincident status`.", cancellationToken);
                return open.Id;
            }

            var now = time.GetUtcNow();
            var id = await store.AllocateIncidentIdAsync(now, cancellationToken);
            var incident = Incident.Declare(id, channel, summary, actor, now, drill);
            incident.RecordCommand(actor, drill ? $"/dbincident drill {summary}" : $"/dbincident start {summary}", now);
            incident.BeginDiagnosis(Incident.BotActor, now);
            string? pointer = null;
            if (channels.Enabled)
            {
                var (own, problem) = await channels.OpenAsync(id, incident.Summary, actor, cancellationToken);
                if (own is not null)
                {
                    // Saved once where it was declared (so a second start there finds it), then moved.
                    await store.SaveAsync(incident, [], cancellationToken);
                    incident.MoveToChannel(own);
                    incident.AddNote(Incident.BotActor, $"incident channel <#{own}> created; the commander and the contacts were invited", now);
                    pointer = $"{IncidentMessages.Tag(incident)}:rotating_light: *{id}* declared by {Format.User(actor)}: {Format.Safe(incident.Summary)}. The incident is worked in <#{own}>.";
                }
                else
                {
                    incident.AddNote(Incident.BotActor, $"could not open an incident channel ({problem}); working in this thread", now);
                }
            }

            var batch = new OutboxBatch(incident, now);
            if (pointer is not null)
            {
                batch.PostTo(channel, IncidentMessages.Text(pointer));
            }

            batch.PostHeader(IncidentMessages.Header(incident, Options.Contacts, now));
            await store.SaveAsync(incident, batch.Items, cancellationToken);
            outboxSignal.Notify();
            CerberusMetrics.IncidentDeclared();
            Log.Declared(logger, id, channel, drill);
            StartDiagnostics(id);
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
        await ReplyAsync(reply, incident is null ? NoOpenIncident : null, incident is null ? null : IncidentMessages.Status(incident, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Recent incidents: all of them for the roster, only this channel's for everyone else.</summary>
    public async Task ListAsync(string channel, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(cancellationToken);
        var everywhere = policy.May(IncidentOperation.ReadOtherChannels, actor, commander: string.Empty, drill: false);
        var incidents = everywhere
            ? await store.ListAsync(openOnly: false, limit: 15, cancellationToken)
            : [.. (await store.ListAsync(openOnly: false, limit: 200, cancellationToken)).Where(i => string.Equals(i.Channel, channel, StringComparison.Ordinal)).Take(15)];
        await ReplyAsync(reply, null, IncidentMessages.List(incidents, everywhere), cancellationToken);
    }

    public Task HelpAsync(ReplyTarget reply, string? problem, CancellationToken cancellationToken) =>
        ReplyAsync(reply, null, IncidentMessages.Help(problem), cancellationToken);

    public async Task ChangeCommanderAsync(string channel, string actor, string newCommander, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(cancellationToken);
        await OnOpenIncidentInChannelAsync(channel, reply, (incident, batch, now) => ThreadOrRefuse(
            incident.ChangeCommander(newCommander, actor, policy, now), batch, reply,
            () => $"{Format.User(newCommander)} is now the incident commander (handed over by {Format.User(actor)})."
                + (policy.IsOnRoster(newCommander) || incident.Drill ? string.Empty : $" They are not on the approver roster: they may propose, but a roster member approves.")), cancellationToken);
    }

    public Task NoteAsync(string channel, string actor, string text, ReplyTarget reply, CancellationToken cancellationToken) =>
        OnOpenIncidentInChannelAsync(channel, reply, (incident, batch, now) =>
        {
            var result = incident.AddNote(actor, SecretRedactor.Redact(text), now);
            batch.Reply(reply, IncidentMessages.Text(result.Succeeded ? $":memo: Noted in the {incident.Id} timeline." : result.Message));
            if (result.Succeeded)
            {
                batch.Thread(IncidentMessages.Text($":memo: {Format.User(actor)}: {Format.Safe(text)}"));
            }

            return result;
        }, cancellationToken);

    public async Task DiagnoseAsync(string incidentId, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        if (!rateLimiter.TryAcquire(RateLimitedOperation.Diagnose, actor))
        {
            var limits = Options.RateLimit;
            Log.RateLimited(logger, actor, "diagnose");
            CerberusMetrics.AccessRefused("rate_limit");
            var limited = await MutateAsync(incidentId, (incident, batch, now) =>
            {
                incident.RecordRefusal(actor, $"refused: run the diagnostics (over {limits.DiagnosesPerUser} runs in {Format.Duration(limits.Window)})", now);
                batch.Reply(reply, IncidentMessages.Text($":raised_hand: You have asked for the diagnostics {limits.DiagnosesPerUser} times in the last {Format.Duration(limits.Window)}; each run queries production, so that is the limit per person. The latest results are in the thread (`/dbincident status`)."));
                return DomainResult.Refused("rate limited");
            }, cancellationToken);
            if (limited.Incident is null)
            {
                await ReplyAsync(reply, limited.Result.Message, cancellationToken);
            }

            return;
        }

        var outcome = await MutateAsync(incidentId, (incident, batch, now) => ThreadOrRefuse(
            incident.BeginDiagnosis(actor, now), batch, reply,
            () => $":mag: {Format.User(actor)} asked for the diagnostics again; running them now…"), cancellationToken);
        if (outcome.Result.Succeeded)
        {
            StartDiagnostics(incidentId);
        }
        else if (outcome.Incident is null)
        {
            await ReplyAsync(reply, outcome.Result.Message, cancellationToken);
        }
    }

    public async Task EscalateAsync(string incidentId, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var contacts = Options.Contacts;
        var who = IncidentMessages.ContactLine(contacts.Escalation, contacts.EscalationSlack, contacts.EscalationEmail);
        var outcome = await MutateAsync(incidentId, (incident, batch, now) => ThreadOrRefuse(
            incident.Escalate(actor, $"{contacts.Escalation} ({contacts.EscalationEmail})", now), batch, reply,
            () => $":sos: {Format.User(actor)} escalated {incident.Id} to {who}. Please join this thread: {Format.Safe(incident.Summary)} — {IncidentMessages.StateText(incident)}."), cancellationToken);
        if (outcome.Incident is null)
        {
            await ReplyAsync(reply, outcome.Result.Message, cancellationToken);
        }
    }

    public async Task ResolveAsync(string channel, string actor, string rootCause, bool force, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var incident = await store.FindOpenInChannelAsync(channel, cancellationToken);
        if (incident is null)
        {
            await ReplyAsync(reply, NoOpenIncident, cancellationToken);
            return;
        }

        var policy = await PolicyAsync(cancellationToken);
        var outcome = await MutateAsync(incident.Id, (i, batch, now) =>
        {
            var result = i.Resolve(actor, string.IsNullOrWhiteSpace(rootCause) ? null : SecretRedactor.Redact(rootCause), force, policy, now);
            if (!result.Succeeded)
            {
                batch.Reply(reply, IncidentMessages.Text(result.Message));
                return result;
            }

            batch.Thread(IncidentMessages.Text($":large_green_circle: {Format.User(actor)} resolved {i.Id} after {Format.Duration(now - (i.DetectedAt ?? i.DeclaredAt))}."
                + (i.RootCause is null ? " No root cause given: the document marks the diagnosis as a hypothesis; add one with `/dbincident note root cause: …`." : $" Root cause: {Format.Safe(i.RootCause)}")));
            return result;
        }, cancellationToken);
        if (outcome.Result.Succeeded)
        {
            Log.Resolved(logger, incident.Id);
            StartReport(incident.Id);
        }
    }

    /// <summary>Writes the post-incident document from the record (plus the integrity check), posts its summary and uploads it.</summary>
    public void StartReport(string incidentId) =>
        work.TryStart("report:" + incidentId, ct => WriteReportAsync(incidentId, ct));

    private async Task WriteReportAsync(string incidentId, CancellationToken cancellationToken)
    {
        var tables = await integrity.CollectAsync(cancellationToken);
        await MutateAsync(incidentId, (incident, batch, now) =>
        {
            if (ReportEligibility.WhyNot(incident) is { } why)
            {
                return DomainResult.Refused(why);
            }

            var report = PostIncidentReportBuilder.Build(incident, tables, now);
            var markdown = report.ToMarkdown();
            incident.AttachReport(markdown);
            batch.Thread(ReportSlackRenderer.Summary(report, IncidentsEndpoints.ReportPath(incident.Id)));
            batch.File(ReportSlackRenderer.Document(report, markdown));
            return DomainResult.Ok();
        }, cancellationToken);
    }

    public async Task ReportAsync(string channel, string actor, string incidentId, ReplyTarget reply, CancellationToken cancellationToken)
    {
        Incident? incident = null;
        if (!string.IsNullOrWhiteSpace(incidentId))
        {
            incident = await store.GetAsync(incidentId.Trim().ToUpperInvariant(), cancellationToken);

            // Outside the roster only this channel's incidents exist: a private incident channel stays private.
            if (incident is not null && !string.Equals(incident.Channel, channel, StringComparison.Ordinal)
                && !(await PolicyAsync(cancellationToken)).May(IncidentOperation.ReadOtherChannels, actor, string.Empty, drill: false))
            {
                incident = null;
            }
        }
        else
        {
            var recent = (await store.ListAsync(openOnly: false, limit: 50, cancellationToken)).FirstOrDefault(i => string.Equals(i.Channel, channel, StringComparison.Ordinal));
            incident = recent is null ? null : await store.GetAsync(recent.Id, cancellationToken);
        }

        if (incident is null)
        {
            await ReplyAsync(reply, "No such incident in this channel. `/dbincident list` shows the recent ones.", cancellationToken);
            return;
        }

        if (ReportEligibility.WhyNot(incident) is { } why)
        {
            await ReplyAsync(reply, why, cancellationToken);
            return;
        }

        if (incident.ReportMarkdown is null)
        {
            StartReport(incident.Id);
            await ReplyAsync(reply, $"The document of {incident.Id} is being written; it will be posted in the incident thread.", cancellationToken);
            return;
        }

        var report = PostIncidentReportBuilder.Build(incident, null, time.GetUtcNow());
        await ReplyAsync(reply, null, ReportSlackRenderer.Summary(report, IncidentsEndpoints.ReportPath(incident.Id)), cancellationToken);
    }

    public async Task CancelAsync(string channel, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(cancellationToken);
        await OnOpenIncidentInChannelAsync(channel, reply, (incident, batch, now) => ThreadOrRefuse(
            incident.Cancel(actor, policy, now), batch, reply,
            () => $"{Format.User(actor)} cancelled {incident.Id} (declared by mistake). Cancelled incidents get no post-incident document."), cancellationToken);
    }

    public async Task CloseAsync(string channel, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var recent = await store.ListAsync(openOnly: false, limit: 50, cancellationToken);
        var resolved = recent.FirstOrDefault(i => string.Equals(i.Channel, channel, StringComparison.Ordinal) && i.State == IncidentState.Resolved);
        if (resolved is null)
        {
            await ReplyAsync(reply, "There is no resolved incident in this channel to close.", cancellationToken);
            return;
        }

        var policy = await PolicyAsync(cancellationToken);
        await MutateAsync(resolved.Id, (incident, batch, now) =>
        {
            var result = incident.Close(actor, policy, now);
            batch.Reply(reply, IncidentMessages.Text(result.Succeeded ? $"{incident.Id} is closed." : result.Message));
            return result;
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- diagnostics

    public void StartDiagnostics(string incidentId) =>
        work.TryStart("diagnose:" + incidentId, ct => RunDiagnosticsAsync(incidentId, ct));

    private async Task RunDiagnosticsAsync(string incidentId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentId"] = incidentId });
        var current = await store.GetAsync(incidentId, cancellationToken);
        var report = await DiagnosticsFor(current).RunAsync(null, cancellationToken);
        Log.Diagnosed(logger, incidentId, report.Classification, (report.FinishedAt - report.StartedAt).TotalMilliseconds);
        await MutateAsync(incidentId, (incident, batch, now) =>
        {
            var result = incident.CompleteDiagnosis(report, now);
            batch.Thread(IncidentMessages.Diagnosis(incident, report, incident.Drill ? DrillBackend.Kinds : AvailableActions, Options.DryRun));
            return result;
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- actions

    public void StartProposal(string incidentId, string actor, RemediationKind kind, IReadOnlyDictionary<string, string> arguments, bool dryRun, ReplyTarget reply) =>
        work.TryStart($"propose:{incidentId}:{kind}:{actor}", ct => ProposeAsync(incidentId, actor, kind, arguments, dryRun, reply, ct));

    /// <summary>
    /// Builds a proposal and posts its approval card (or the dry run). Only the commander and the roster propose;
    /// with <paramref name="replaces"/> (the bot re-proposing after a drift) <paramref name="actor"/> is the human
    /// proposer of record of the replaced card, so the second-person rule still applies to them.
    /// </summary>
    public async Task ProposeAsync(
        string incidentId,
        string actor,
        RemediationKind kind,
        IReadOnlyDictionary<string, string> arguments,
        bool dryRun,
        ReplyTarget reply,
        CancellationToken cancellationToken,
        ActionRecord? replaces = null)
    {
        var incident = await store.GetAsync(incidentId, cancellationToken);
        if (incident is null || !incident.IsOpen)
        {
            await ReplyAsync(reply, incident is null ? $"There is no incident {incidentId}." : $"{incident.Id} is {incident.State}; no action can be proposed for it.", cancellationToken);
            return;
        }

        var policy = await PolicyAsync(cancellationToken);
        if (replaces is null && !policy.May(IncidentOperation.Propose, actor, incident.Commander, incident.Drill))
        {
            // Refused before anything is read from production; the attempt is recorded.
            CerberusMetrics.AccessRefused("not_authorized");
            await MutateAsync(incidentId, (i, batch, at) =>
            {
                var refused = i.Authorize(IncidentOperation.Propose, actor, policy, at) ?? DomainResult.Refused("The commander changed meanwhile; propose again.");
                batch.Reply(reply, IncidentMessages.Text(refused.Message));
                return refused;
            }, cancellationToken);
            return;
        }

        if (ActionFor(incident, kind) is not { } action)
        {
            await ReplyAsync(reply, $"{ActionRequestParser.Title(kind)} is not available here (its backend is not configured).", cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        var args = new Dictionary<string, string>(arguments, StringComparer.Ordinal);
        if (kind == RemediationKind.ScaleBackendUp && !args.ContainsKey(ActionRequestParser.ReplicasArgument)
            && incident.OutstandingUndo.LastOrDefault(a => a.UndoKind == RemediationKind.ScaleBackendUp) is { } down
            && down.Figures.TryGetValue(ActionFigureKeys.ReplicasBefore, out var remembered))
        {
            args[ActionRequestParser.ReplicasArgument] = remembered;
        }

        var isDryRun = dryRun || Options.DryRun;
        var request = new ProposalRequest(incidentId, NewActionId(), actor, now, Options.Approval.Expiry, isDryRun, args);
        ActionProposal proposal;
        try
        {
            proposal = await action.ProposeAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ProposalFailed(logger, ex, incidentId, kind);
            await ReplyAsync(reply, $"Could not prepare {ActionRequestParser.Title(kind)}: {SecretRedactor.Redact(ex.Message)}", cancellationToken);
            return;
        }

        if (proposal.Action is not { } record)
        {
            await ReplyAsync(reply, $"{ActionRequestParser.Title(kind)} is not applicable now: {proposal.NotApplicableReason}", cancellationToken);
            return;
        }

        if (isDryRun)
        {
            await MutateAsync(incidentId, (i, batch, at) =>
            {
                i.AddNote(actor, $"dry run of {kind} on {record.Target}: would run {record.Description}", at);
                batch.Thread(IncidentMessages.DryRun(i, record));
                return DomainResult.Ok();
            }, cancellationToken);
            return;
        }

        record.ReproposalOf = replaces?.Id;
        await MutateAsync(incidentId, (i, batch, at) =>
        {
            var result = i.ProposeAction(record, policy, at);
            if (result.Succeeded)
            {
                batch.Thread(IncidentMessages.ApprovalCard(i, record, policy, Options.Approvers));
            }
            else
            {
                batch.Reply(reply, IncidentMessages.Text(result.Message));
            }

            return result;
        }, cancellationToken);
    }

    public async Task ApproveAsync(string incidentId, string actionId, string actor, bool riskAccepted, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(cancellationToken);
        var outcome = await MutateAsync(incidentId, (incident, batch, now) =>
        {
            var result = incident.Approve(actionId, actor, riskAccepted, policy, now);
            var action = incident.FindAction(actionId);
            if (result.Succeeded && action is not null)
            {
                batch.ReplaceOriginal(reply, IncidentMessages.Decided(incident, action, $":white_check_mark: approved by {Format.User(actor)} at {Format.Clock(now)} — running now."));
            }
            else
            {
                batch.Reply(reply, IncidentMessages.Text(result.Message));
                if (action is { Status: ActionStatus.Expired } && !string.IsNullOrEmpty(reply.ResponseUrl))
                {
                    batch.ReplaceOriginal(reply, IncidentMessages.Decided(incident, action, ":hourglass: expired — nothing ran."));
                }
            }

            return result;
        }, cancellationToken);

        if (outcome.Result.Succeeded)
        {
            Log.Approved(logger, incidentId, actionId, actor);
            StartExecution(incidentId, actionId);
        }
        else if (outcome.Incident is null)
        {
            await ReplyAsync(reply, outcome.Result.Message, cancellationToken);
        }
    }

    public async Task RejectAsync(string incidentId, string actionId, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await PolicyAsync(cancellationToken);
        var outcome = await MutateAsync(incidentId, (incident, batch, now) =>
        {
            var result = incident.Reject(actionId, actor, policy, now);
            var action = incident.FindAction(actionId);
            if (result.Succeeded && action is not null)
            {
                batch.ReplaceOriginal(reply, IncidentMessages.Decided(incident, action, $":no_entry_sign: rejected by {Format.User(actor)} at {Format.Clock(now)}; nothing ran."));
                if (string.IsNullOrEmpty(reply.ResponseUrl))
                {
                    batch.Thread(IncidentMessages.Decided(incident, action, $"rejected by {Format.User(actor)}; nothing ran."));
                }
            }
            else
            {
                batch.Reply(reply, IncidentMessages.Text(result.Message));
            }

            return result;
        }, cancellationToken);
        if (outcome.Incident is null)
        {
            await ReplyAsync(reply, outcome.Result.Message, cancellationToken);
        }
    }

    public void StartExecution(string incidentId, string actionId) =>
        work.TryStart("execute:" + incidentId, ct => OwnedAsync(incidentId, t => ExecuteAsync(incidentId, actionId, t), ct));

    /// <summary>
    /// Runs <paramref name="body"/> while this process holds the incident's execution lease, renewed by a heartbeat;
    /// does nothing (false) while another live process holds it. On a graceful stop (rolling update) the work stops at
    /// its next safe point, the thread says so, and the lease is released so another process continues at once; when
    /// the lease was lost to another process, this one stops and leaves the action to it.
    /// </summary>
    private async Task<bool> OwnedAsync(string incidentId, Func<CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        if (!await execution.TryTakeAsync(incidentId, cancellationToken))
        {
            Log.OwnedElsewhere(logger, incidentId);
            return false;
        }

        var heartbeat = execution.Beat(incidentId, cancellationToken);
        try
        {
            await body(heartbeat.Token);
        }
        catch (OperationCanceledException) when (heartbeat.Token.IsCancellationRequested)
        {
            if (!heartbeat.Lost)
            {
                await HandOverAsync(incidentId);
            }
        }
        finally
        {
            await heartbeat.DisposeAsync();
            if (!heartbeat.Lost)
            {
                await execution.ReleaseAsync(incidentId);
            }
        }

        return true;
    }

    /// <summary>The process stops while an action runs: say so; whoever holds the lease next continues from the ledger.</summary>
    private async Task HandOverAsync(string incidentId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await MutateAsync(incidentId, (i, batch, now) =>
            {
                if (i.RunningAction is not { Status: ActionStatus.Started } running)
                {
                    return DomainResult.Ok();
                }

                i.AddNote(Incident.BotActor, $"this bot process stopped while {running.Kind} ran; it stopped at a safe point and the next process continues from the ledger (nothing runs twice)", now);
                batch.Thread(IncidentMessages.Text($":pause_button: This bot process is stopping (rolling update or shutdown) while {ActionRequestParser.Title(running.Kind)} runs. It stopped at a safe point; another process checks what happened and continues from there — nothing is run twice."));
                return DomainResult.Ok();
            }, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConcurrencyConflictException or InvalidOperationException)
        {
            Log.HandOverNotRecorded(logger, incidentId);
        }
    }

    private async Task ExecuteAsync(string incidentId, string actionId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentId"] = incidentId, ["ActionId"] = actionId });
        var incident = await store.GetAsync(incidentId, cancellationToken);
        var record = incident?.FindAction(actionId);
        if (incident is null || record is null || record.Status != ActionStatus.Approved || ActionFor(incident, record.Kind) is not { } action)
        {
            return;
        }

        // Re-read the state the approval was based on. If it drifted, nothing runs.
        string observed;
        try
        {
            observed = await action.ObserveAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            observed = $"could not re-read the state: {SecretRedactor.Redact(ex.Message)}";
        }

        if (!string.Equals(observed, record.ObservedFingerprint, StringComparison.Ordinal))
        {
            await MutateAsync(incidentId, (i, batch, now) =>
            {
                var result = i.RefuseForDrift(actionId, observed, now);
                if (result.Succeeded)
                {
                    batch.Thread(IncidentMessages.Text($":warning: {ActionRequestParser.Title(record.Kind)} was NOT run: the state changed since the approval card (was `{Format.Safe(record.ObservedFingerprint)}`, now `{Format.Safe(observed)}`). A fresh proposal follows."));
                }

                return result;
            }, cancellationToken);
            await ReproposeAsync(incident, record, cancellationToken);
            return;
        }

        // The ledger says Started before the first side effect: after this, the action never starts again.
        var started = await MutateAsync(incidentId, (i, batch, now) =>
        {
            var result = i.MarkStarted(actionId, now, execution.Owner);
            if (result.Succeeded)
            {
                batch.Thread(IncidentMessages.Text($":gear: Running {ActionRequestParser.Title(record.Kind)} on {Format.Safe(record.Target)} (approved by {Format.User(record.DecidedBy ?? "?")})…"));
            }

            return result;
        }, cancellationToken);
        if (!started.Result.Succeeded)
        {
            return;
        }

        var progress = new ThreadProgress(this, incident, time);
        ActionOutcome outcome;
        try
        {
            outcome = await action.ExecuteAsync(record, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ExecutionFailed(logger, ex, incidentId, record.Kind);
            outcome = ActionOutcome.Failure($"the action threw: {SecretRedactor.Redact(ex.Message)}");
        }

        await progress.FlushAsync(cancellationToken);
        await FinishAsync(incidentId, actionId, action, outcome, cancellationToken);
    }

    /// <summary>
    /// After the state changed under an approval: a fresh card for the same action, proposed in the name of the human
    /// who proposed the replaced one (or, when the bot had proposed it, of the human who approved it), so the
    /// second-person rule excludes them again; the card is never "proposed by the bot" alone.
    /// </summary>
    private Task ReproposeAsync(Incident incident, ActionRecord replaced, CancellationToken cancellationToken)
    {
        var proposer = !string.Equals(replaced.ProposedBy, Incident.BotActor, StringComparison.Ordinal)
            ? replaced.ProposedBy
            : replaced.DecidedBy ?? Incident.BotActor;
        return ProposeAsync(incident.Id, proposer, replaced.Kind, replaced.Parameters, dryRun: false,
            new ReplyTarget(incident.Channel, replaced.DecidedBy ?? Incident.BotActor, null), cancellationToken, replaced);
    }

    /// <summary>Records the outcome, then verifies: the action's own check plus the relevant probes, before → after.</summary>
    private async Task FinishAsync(string incidentId, string actionId, IRemediationAction action, ActionOutcome outcome, CancellationToken cancellationToken)
    {
        var recorded = await MutateAsync(incidentId, (i, batch, now) =>
        {
            var result = i.RecordExecution(actionId, outcome.Succeeded, SecretRedactor.Redact(outcome.Summary), outcome.Figures, now);
            if (result.Succeeded && i.FindAction(actionId) is { } a)
            {
                batch.Thread(IncidentMessages.Text(outcome switch
                {
                    { Succeeded: true } => $":white_check_mark: {ActionRequestParser.Title(a.Kind)} done: {Format.Safe(outcome.Summary)} Verifying…",
                    { StateChange: { } change } =>
                        $":warning: {ActionRequestParser.Title(a.Kind)} stopped before its next step: the state changed since the approval (`{Format.Safe(change)}`). "
                        + $"Already applied before it stopped: {SideEffects(outcome)}. Nothing more runs on the changed state; a fresh card follows.",
                    _ => $":x: {ActionRequestParser.Title(a.Kind)} failed: {Format.Safe(outcome.Summary)} Nothing else was changed; pick the next step.",
                }));
            }

            return result;
        }, cancellationToken);
        if (recorded.Result.Succeeded && outcome.Succeeded)
        {
            await VerifyAsync(incidentId, actionId, action, cancellationToken);
        }
        else if (recorded.Result.Succeeded && outcome.StateChange is not null
                 && recorded.Incident?.FindAction(actionId) is { } stopped)
        {
            // A switchover never becomes a failover, a clean-up never runs on another table, without a new approval.
            await ReproposeAsync(recorded.Incident, stopped, cancellationToken);
        }
    }

    private static string SideEffects(ActionOutcome outcome) =>
        outcome.Figures.TryGetValue(ActionOutcome.SideEffectsDoneFigure, out var done) && done != "0"
            ? $"{done} side effect(s) ({string.Join(", ", outcome.Figures.Where(f => f.Key != ActionOutcome.SideEffectsDoneFigure).Select(f => $"{f.Key} {f.Value}"))})"
            : "nothing";

    private async Task VerifyAsync(string incidentId, string actionId, IRemediationAction action, CancellationToken cancellationToken)
    {
        var incident = await store.GetAsync(incidentId, cancellationToken);
        if (incident?.FindAction(actionId) is not { } record)
        {
            return;
        }

        ActionOutcome check;
        try
        {
            check = await action.VerifyAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            check = ActionOutcome.Failure($"verification threw: {SecretRedactor.Redact(ex.Message)}");
        }

        var before = incident.LatestDiagnosis;
        var after = await DiagnosticsFor(incident).RunAsync(VerificationProbes(record.Kind), cancellationToken);
        var comparison = BeforeAfter(before, after);
        await MutateAsync(incidentId, (i, batch, now) =>
        {
            i.CompleteDiagnosis(after, now);
            var result = i.RecordVerification(actionId, check.Succeeded, $"{check.Summary} {comparison}".Trim(), now);
            batch.Thread(IncidentMessages.Text(
                $"{(check.Succeeded ? ":white_check_mark: Verified" : ":x: Verification failed")}: {Format.Safe(check.Summary)}\n*Before → after:*\n{Format.Safe(comparison)}\n_Next:_ {IncidentMessages.NextStep(i)}"));
            return result;
        }, cancellationToken);
    }

    internal static IReadOnlyCollection<string> VerificationProbes(RemediationKind kind) => kind switch
    {
        RemediationKind.Failover or RemediationKind.Switchover =>
            [ProbeNames.Connectivity, ProbeNames.Patroni, ProbeNames.Replication, ProbeNames.App],
        RemediationKind.ScaleBackendDown or RemediationKind.ScaleBackendUp =>
            [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Kubernetes, ProbeNames.App],
        RemediationKind.AuditLogCleanup => [ProbeNames.Disk, ProbeNames.Volume, ProbeNames.Replication, ProbeNames.App],
        _ => [ProbeNames.Replication, ProbeNames.Disk, ProbeNames.Volume, ProbeNames.App],
    };

    internal static string BeforeAfter(DiagnosisReport? before, DiagnosisReport after)
    {
        var lines = new List<string>();
        foreach (var result in after.Results)
        {
            var previous = before?.Find(result.Probe);
            lines.Add(previous is null
                ? $"• {result.Probe}: {Format.Label(result.Status)} — {result.Summary}"
                : $"• {result.Probe}: {Format.Label(previous.Status)} → {Format.Label(result.Status)} — {result.Summary}");
        }

        return string.Join("\n", lines);
    }

    /// <summary>Posts an action's progress into the thread, at most every few seconds (batches can be many).</summary>
    private sealed class ThreadProgress(IncidentEngine engine, Incident incident, TimeProvider time) : IProgress<string>
    {
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
                if (now - _last >= ProgressInterval)
                {
                    _last = now;
                    send = _pending;
                    _pending = null;
                }
            }

            if (send is not null)
            {
                _ = engine.PostThreadAsync(incident, $":hourglass_flowing_sand: {Format.Safe(send)}", CancellationToken.None);
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

            return send is null ? Task.CompletedTask : engine.PostThreadAsync(incident, $":hourglass_flowing_sand: {Format.Safe(send)}", cancellationToken);
        }
    }

    // ---------------------------------------------------------------- resumption and timers

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
                StartDiagnostics(incident.Id);
            }

            ResumeExecution(incident, immediately: false);
        }
    }

    /// <summary>
    /// Picks up an action whose process is gone (its execution lease lapsed): an approval never started is marked
    /// interrupted (nothing runs behind anyone's back), a started action is reconciled against reality, an executed one
    /// is verified. While another live process holds the lease nothing happens. An approval gets one heartbeat of grace
    /// (unless <paramref name="immediately"/>), the time the approving process needs to take the lease.
    /// </summary>
    /// <returns>False when there was nothing to pick up.</returns>
    internal bool ResumeExecution(Incident incident, bool immediately)
    {
        if (work.IsRunning("execute:" + incident.Id))
        {
            return true;
        }

        var id = incident.Id;
        if (incident.RunningAction is { Status: ActionStatus.Approved } approved)
        {
            if (!immediately && approved.DecidedAt is { } decided && time.GetUtcNow() - decided < Options.ExecutionHeartbeat)
            {
                return true;
            }

            return work.TryStart("execute:" + id, ct => OwnedAsync(id, t => InterruptAsync(id, approved.Id, t), ct));
        }

        if (incident.RunningAction is { Status: ActionStatus.Started } started && ActionFor(incident, started.Kind) is { } action)
        {
            return work.TryStart("execute:" + id, ct => OwnedAsync(id, t => ReconcileAsync(id, started.Id, action, t), ct));
        }

        if (incident.State == IncidentState.Verifying
            && incident.Actions.LastOrDefault(a => a.Status == ActionStatus.Succeeded) is { } done
            && ActionFor(incident, done.Kind) is { } verifier)
        {
            return work.TryStart("execute:" + id, ct => OwnedAsync(id, t => ResumeVerificationAsync(id, done.Id, verifier, t), ct));
        }

        return false;
    }

    /// <summary>The operator's "reconcile now" (CLI <c>incident reconcile</c>): the same as after a restart, without the grace.</summary>
    public async Task<bool> ReconcileNowAsync(string incidentId, CancellationToken cancellationToken) =>
        await store.GetAsync(incidentId, cancellationToken) is { } incident && ResumeExecution(incident, immediately: true);

    private async Task InterruptAsync(string incidentId, string actionId, CancellationToken cancellationToken)
    {
        Log.Resuming(logger, incidentId, "interrupted approval");
        await MutateAsync(incidentId, (i, batch, now) =>
        {
            var result = i.MarkInterrupted(actionId, now);
            if (result.Succeeded && i.FindAction(actionId) is { } approved)
            {
                batch.Thread(IncidentMessages.Text($":warning: The bot restarted after {ActionRequestParser.Title(approved.Kind)} was approved and before it started: nothing ran. Propose it again if it is still needed."));
            }

            return result;
        }, cancellationToken);
    }

    private async Task ResumeVerificationAsync(string incidentId, string actionId, IRemediationAction verifier, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(incidentId, cancellationToken) is { State: IncidentState.Verifying })
        {
            Log.Resuming(logger, incidentId, "verification");
            await VerifyAsync(incidentId, actionId, verifier, cancellationToken);
        }
    }

    private async Task ReconcileAsync(string incidentId, string actionId, IRemediationAction action, CancellationToken cancellationToken)
    {
        // Read again under the lease: the process that ran it may have finished it meanwhile.
        var incident = await store.GetAsync(incidentId, cancellationToken);
        if (incident?.FindAction(actionId) is not { Status: ActionStatus.Started } record)
        {
            return;
        }

        Log.Resuming(logger, incidentId, "reconcile " + record.Kind);
        await PostThreadAsync(incident, $":arrows_counterclockwise: The bot restarted while {ActionRequestParser.Title(record.Kind)} was running; checking what actually happened before anything else (it is not started again)…", cancellationToken);
        var progress = new ThreadProgress(this, incident, time);
        ActionOutcome outcome;
        try
        {
            outcome = await action.ReconcileAsync(record, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = ActionOutcome.Failure($"could not reconcile after the restart: {SecretRedactor.Redact(ex.Message)}");
        }

        await progress.FlushAsync(cancellationToken);
        await FinishAsync(incident.Id, record.Id, action, outcome, cancellationToken);
    }

    /// <summary>Sets the incidents-by-state gauge from the store (every replica sees the same numbers).</summary>
    public async Task RefreshMetricsAsync(CancellationToken cancellationToken)
    {
        var recent = await store.ListAsync(openOnly: false, limit: 1000, cancellationToken);
        CerberusMetrics.SetIncidentCounts(recent.GroupBy(i => i.State).ToDictionary(g => g.Key, g => g.Count()));
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
                ResumeExecution(incident, immediately: false);
            }

            var current = IncidentClock.Of(incident);
            var expiring = current.ApprovalExpired(now);
            var due = current.DueReminders(now, reminders);
            if (!expiring && due.Count == 0)
            {
                continue;
            }

            await MutateAsync(incident.Id, (i, batch, at) =>
            {
                foreach (var expired in i.ExpireApprovals(at))
                {
                    batch.Thread(IncidentMessages.Decided(i, expired, ":hourglass: the approval expired; nothing ran. Propose it again if it is still needed."));
                }

                foreach (var percent in due.Where(p => i.RecordReminder(p, at)))
                {
                    var left = Incident.RecoveryTimeObjective - (at - (i.DetectedAt ?? i.DeclaredAt));
                    var commander = Format.User(i.Commander);
                    batch.Thread(IncidentMessages.Text($":alarm_clock: {IncidentMessages.Tag(i)}{percent}% of the 4 h RTO has passed for {i.Id}: {Format.Duration(left)} left. {commander}, state: {IncidentMessages.StateText(i)}. Next: {IncidentMessages.NextStep(i)}"));
                }

                return DomainResult.Ok();
            }, cancellationToken);
        }
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Drill incidents run against the simulated backend; every other incident against the real one.</summary>
    private IDiagnosticsRunner DiagnosticsFor(Incident? incident) => incident is { Drill: true } ? _drill.Diagnostics(incident) : diagnostics;

    private IRemediationAction? ActionFor(Incident incident, RemediationKind kind) =>
        incident.Drill ? DrillBackend.Action(incident, kind) : _actions.GetValueOrDefault(kind);

    internal async Task PostThreadAsync(Incident incident, string text, CancellationToken cancellationToken)
    {
        var batch = new OutboxBatch(incident.Id, incident.Version + 1, incident.Channel, time.GetUtcNow());
        batch.Thread(IncidentMessages.Text(text));
        await outbox.EnqueueAsync(batch.Items.Select(i => i with { Id = $"{i.Id}/p{Guid.NewGuid():N}" }).ToList(), cancellationToken);
        outboxSignal.Notify();
    }

    /// <summary>The common shape of a change: on success a line in the thread, otherwise the refusal privately to the asker.</summary>
    private static DomainResult ThreadOrRefuse(DomainResult result, OutboxBatch batch, ReplyTarget reply, Func<string> onSuccess)
    {
        if (result.Succeeded)
        {
            batch.Thread(IncidentMessages.Text(onSuccess()));
        }
        else
        {
            batch.Reply(reply, IncidentMessages.Text(result.Message));
        }

        return result;
    }

    private Task ReplyAsync(ReplyTarget reply, string text, CancellationToken cancellationToken) =>
        ReplyAsync(reply, text, null, cancellationToken);

    private async Task ReplyAsync(ReplyTarget reply, string? text, SlackMessage? message, CancellationToken cancellationToken)
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

    private const string NoOpenIncident = "There is no open incident in this channel. `/dbincident start <summary>` opens one; `/dbincident list` shows recent ones.";

    private async Task OnOpenIncidentInChannelAsync(string channel, ReplyTarget reply, Func<Incident, OutboxBatch, DateTimeOffset, DomainResult> change, CancellationToken cancellationToken)
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
    internal async Task<MutationOutcome> MutateAsync(string incidentId, Func<Incident, OutboxBatch, DateTimeOffset, DomainResult> change, CancellationToken cancellationToken)
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
                    return new MutationOutcome(DomainResult.Refused($"There is no incident {incidentId}."), null);
                }

                var now = time.GetUtcNow();
                var before = (incident.State, incident.Commander, incident.Timeline.Count, Diagnosis: incident.LatestDiagnosis, incident.ReportMarkdown);
                var finishedBefore = incident.Actions.Where(a => a.IsFinal).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
                var batch = new OutboxBatch(incident, now);
                var result = change(incident, batch, now);
                var changed = incident.Timeline.Count != before.Count || incident.State != before.State
                    || !ReferenceEquals(incident.ReportMarkdown, before.ReportMarkdown);
                if ((incident.State, incident.Commander, incident.LatestDiagnosis) != (before.State, before.Commander, before.Diagnosis))
                {
                    batch.UpdateHeader(IncidentMessages.Header(incident, Options.Contacts, now));
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

    private static string NewActionId() => "A-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Incident {IncidentId} declared in {Channel} (drill: {Drill})")]
        public static partial void Declared(ILogger logger, string incidentId, string channel, bool drill);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Incident {IncidentId}: {From} → {To}")]
        public static partial void Transitioned(ILogger logger, string incidentId, IncidentState from, IncidentState to);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Incident {IncidentId} diagnosed as {Classification} in {ElapsedMs:0} ms")]
        public static partial void Diagnosed(ILogger logger, string incidentId, Classification classification, double elapsedMs);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not propose {Kind}")]
        public static partial void ProposalFailed(ILogger logger, Exception exception, string incidentId, RemediationKind kind);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Incident {IncidentId}: action {ActionId} approved by {Approver}")]
        public static partial void Approved(ILogger logger, string incidentId, string actionId, string approver);

        [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Incident {IncidentId}: {Kind} threw")]
        public static partial void ExecutionFailed(ILogger logger, Exception exception, string incidentId, RemediationKind kind);

        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Incident {IncidentId}: version conflict (attempt {Attempt}), reloading")]
        public static partial void Conflict(ILogger logger, string incidentId, int attempt);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Incident {IncidentId}: resuming {What} after a restart")]
        public static partial void Resuming(ILogger logger, string incidentId, string what);

        [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Incident {IncidentId} resolved")]
        public static partial void Resolved(ILogger logger, string incidentId);

        [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Incident {IncidentId}: another process holds the execution lease; leaving the action to it")]
        public static partial void OwnedElsewhere(ILogger logger, string incidentId);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Incident {IncidentId}: stopping mid-action; the hand-over note could not be saved (the next process still continues from the ledger)")]
        public static partial void HandOverNotRecorded(ILogger logger, string incidentId);

        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "User {User} is over the per-user limit of {Operation}; refused politely")]
        public static partial void RateLimited(ILogger logger, string user, string operation);
    }
}
