using System.Security.Cryptography;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Incidents.Rendering;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Proposals: asks the action to read the live state and describe what it would run and risk, then posts the
/// approval card (or the dry run). Also the fresh card after the state changed under an approval.
/// </summary>
internal sealed partial class ActionProposer(
    IncidentMutator mutator,
    IIncidentStore store,
    IncidentBackends backends,
    IOptionsMonitor<IncidentOptions> options,
    ApproverRoster roster,
    BackgroundWork work,
    TimeProvider time,
    ILogger<ActionProposer> logger)
{
    private IncidentOptions Options => options.CurrentValue;

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
            await mutator.ReplyAsync(reply, incident is null ? $"There is no incident {incidentId}." : $"{incident.Id} is {incident.State}; no action can be proposed for it.", cancellationToken);
            return;
        }

        var policy = await roster.PolicyAsync(cancellationToken);
        if (replaces is null && !policy.May(IncidentOperation.Propose, actor, incident.Commander, incident.Drill))
        {
            // Refused before anything is read from production; the attempt is recorded.
            CerberusMetrics.AccessRefused("not_authorized");
            await mutator.MutateAsync(incidentId, (i, batch, at) =>
            {
                var refused = i.Authorize(IncidentOperation.Propose, actor, policy, at) ?? new EngineRefusal.CommanderChangedMeanwhile();
                batch.Reply(reply, IncidentMessages.Text(IncidentReplies.Text(refused)));
                return refused;
            }, cancellationToken);
            return;
        }

        if (backends.ActionFor(incident, kind) is not { } action)
        {
            await mutator.ReplyAsync(reply, $"{ActionRequestParser.Title(kind)} is not available here (its backend is not configured).", cancellationToken);
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
            await mutator.ReplyAsync(reply, $"Could not prepare {ActionRequestParser.Title(kind)}: {SecretRedactor.Redact(ex.Message)}", cancellationToken);
            return;
        }

        if (proposal.Action is not { } record)
        {
            await mutator.ReplyAsync(reply, $"{ActionRequestParser.Title(kind)} is not applicable now: {proposal.NotApplicableReason}", cancellationToken);
            return;
        }

        if (isDryRun)
        {
            await mutator.MutateAsync(incidentId, (i, batch, at) =>
            {
                i.AddNote(actor, $"dry run of {kind} on {record.Target}: would run {record.Description}", at);
                batch.Thread(IncidentMessages.DryRun(i, record));
                return DomainResult.Ok();
            }, cancellationToken);
            return;
        }

        record.ReproposalOf = replaces?.Id;
        await mutator.MutateAsync(incidentId, (i, batch, at) =>
        {
            var result = i.ProposeAction(record, policy, at);
            if (result.Succeeded)
            {
                batch.Thread(IncidentMessages.ApprovalCard(i, record, policy, Options.Approvers));
            }
            else
            {
                batch.Reply(reply, IncidentMessages.Text(IncidentReplies.Text(result)));
            }

            return result;
        }, cancellationToken);
    }

    /// <summary>
    /// After the state changed under an approval: a fresh card for the same action, proposed in the name of the human
    /// who proposed the replaced one (or, when the bot had proposed it, of the human who approved it), so the
    /// second-person rule excludes them again; the card is never "proposed by the bot" alone.
    /// </summary>
    public Task ReproposeAsync(Incident incident, ActionRecord replaced, CancellationToken cancellationToken)
    {
        var proposer = !string.Equals(replaced.ProposedBy, Incident.BotActor, StringComparison.Ordinal)
            ? replaced.ProposedBy
            : replaced.DecidedBy ?? Incident.BotActor;
        return ProposeAsync(incident.Id, proposer, replaced.Kind, replaced.Parameters, dryRun: false,
            new ReplyTarget(incident.Channel, replaced.DecidedBy ?? Incident.BotActor, null), cancellationToken, replaced);
    }

    private static string NewActionId() => "A-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static partial class Log
    {
        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not propose {Kind}")]
        public static partial void ProposalFailed(ILogger logger, Exception exception, string incidentId, RemediationKind kind);
    }
}
