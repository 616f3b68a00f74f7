using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Rendering;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>Approve and reject, by the roster under the second-person rule; an approval hands the action to <see cref="ActionExecution"/>.</summary>
internal sealed partial class ActionApprovals(
    IncidentMutator mutator,
    ApproverRoster roster,
    ActionExecution executor,
    ILogger<ActionApprovals> logger)
{
    public async Task ApproveAsync(string incidentId, string actionId, string actor, bool riskAccepted, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await roster.PolicyAsync(cancellationToken);
        var outcome = await mutator.MutateAsync(incidentId, (incident, batch, now) =>
        {
            var result = incident.Approve(actionId, actor, riskAccepted, policy, now);
            var action = incident.FindAction(actionId);
            if (result.Succeeded && action is not null)
            {
                batch.ReplaceOriginal(reply, IncidentMessages.Decided(incident, action, $":white_check_mark: approved by {Format.User(actor)} at {Format.Clock(now)} — running now."));
            }
            else
            {
                batch.Reply(reply, IncidentMessages.Text(IncidentReplies.Text(result)));
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
            executor.StartExecution(incidentId, actionId);
        }
        else if (outcome.Incident is null)
        {
            await mutator.ReplyAsync(reply, IncidentReplies.Text(outcome.Result), cancellationToken);
        }
    }

    public async Task RejectAsync(string incidentId, string actionId, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var policy = await roster.PolicyAsync(cancellationToken);
        var outcome = await mutator.MutateAsync(incidentId, (incident, batch, now) =>
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
                batch.Reply(reply, IncidentMessages.Text(IncidentReplies.Text(result)));
            }

            return result;
        }, cancellationToken);
        if (outcome.Incident is null)
        {
            await mutator.ReplyAsync(reply, IncidentReplies.Text(outcome.Result), cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Incident {IncidentId}: action {ActionId} approved by {Approver}")]
        public static partial void Approved(ILogger logger, string incidentId, string actionId, string approver);
    }
}
