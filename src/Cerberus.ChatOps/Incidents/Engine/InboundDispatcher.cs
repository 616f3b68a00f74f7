using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Slack.Inbound;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>Turns an accepted Slack request (from the durable inbox) into calls on the engine's pieces.</summary>
internal sealed partial class InboundDispatcher(
    IncidentCommands commands,
    DiagnosticsRuns diagnostics,
    ReportWriter reports,
    ActionProposer proposer,
    ActionApprovals approvals,
    AlertIntake alerts,
    Drill.Live.LiveDrills liveDrills,
    ILogger<InboundDispatcher> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task DispatchAsync(InboundItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        switch (item.Kind)
        {
            case InboundKinds.Command when JsonSerializer.Deserialize<SlashCommand>(item.Payload, Json) is { } command:
                await OnCommandAsync(command, cancellationToken);
                break;
            case InboundKinds.Interaction when JsonSerializer.Deserialize<InteractionPayload>(item.Payload, Json) is { } interaction:
                await OnInteractionAsync(interaction, cancellationToken);
                break;
            case InboundKinds.Alert when JsonSerializer.Deserialize<Alerts.AlertBatch>(item.Payload, Alerts.AlertIntakeJson.Options) is { } batch:
                await alerts.HandleAsync(batch, cancellationToken);
                break;
            default:
                Log.Ignored(logger, item.Kind, item.Key);
                break;
        }
    }

    public async Task OnCommandAsync(SlashCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reply = new ReplyTarget(command.ChannelId, command.UserId, command.ResponseUrl);
        var parsed = IncidentCommandParser.Parse(command.Text);
        var channel = command.ChannelId;
        var user = command.UserId;
        switch (parsed.Kind)
        {
            case IncidentCommandKind.Start:
                await commands.StartAsync(channel, user, parsed.Argument, drill: false, reply, cancellationToken);
                break;
            case IncidentCommandKind.Drill:
                await commands.StartAsync(channel, user, parsed.Argument, drill: true, reply, cancellationToken);
                break;
            case IncidentCommandKind.LiveDrill:
                await liveDrills.StartAsync(channel, user, parsed.Argument, reply, cancellationToken);
                break;
            case IncidentCommandKind.Status:
                await commands.StatusAsync(channel, reply, cancellationToken);
                break;
            case IncidentCommandKind.List:
                await commands.ListAsync(channel, user, reply, cancellationToken);
                break;
            case IncidentCommandKind.Commander:
                await commands.ChangeCommanderAsync(channel, user, parsed.UserId!, reply, cancellationToken);
                break;
            case IncidentCommandKind.Note:
                await commands.NoteAsync(channel, user, parsed.Argument, reply, cancellationToken);
                break;
            case IncidentCommandKind.Diagnose:
                await OnIncidentInChannelAsync(channel, reply, id => diagnostics.DiagnoseAsync(id, user, reply, cancellationToken), cancellationToken);
                break;
            case IncidentCommandKind.Escalate:
                await OnIncidentInChannelAsync(channel, reply, id => commands.EscalateAsync(id, user, reply, cancellationToken), cancellationToken);
                break;
            case IncidentCommandKind.Propose:
                var (kind, arguments, problem) = ActionRequestParser.Parse(parsed.Argument);
                if (kind is null)
                {
                    await commands.HelpAsync(reply, problem, cancellationToken);
                    break;
                }

                await OnIncidentInChannelAsync(channel, reply, id =>
                {
                    proposer.StartProposal(id, user, kind.Value, arguments, dryRun: false, reply);
                    return Task.CompletedTask;
                }, cancellationToken);
                break;
            case IncidentCommandKind.Resolve:
                await commands.ResolveAsync(channel, user, parsed.Argument, parsed.Force, reply, cancellationToken);
                break;
            case IncidentCommandKind.Cancel:
                await commands.CancelAsync(channel, user, reply, cancellationToken);
                break;
            case IncidentCommandKind.Report:
                await reports.ReportAsync(channel, user, parsed.Argument, reply, cancellationToken);
                break;
            case IncidentCommandKind.Close:
                await commands.CloseAsync(channel, user, reply, cancellationToken);
                break;
            default:
                await commands.HelpAsync(reply, parsed.Problem, cancellationToken);
                break;
        }
    }

    public async Task OnInteractionAsync(InteractionPayload interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var reply = new ReplyTarget(interaction.ChannelId ?? string.Empty, interaction.UserId, interaction.ResponseUrl);
        foreach (var action in interaction.Actions)
        {
            var user = interaction.UserId;
            switch (action.ActionId)
            {
                case ButtonIds.Propose or ButtonIds.DryRun:
                {
                    var parts = ButtonIds.Parts(action.Value, 2);
                    var (kind, arguments, problem) = ActionRequestParser.Parse(parts[1]);
                    if (kind is null || parts[0].Length == 0)
                    {
                        await commands.HelpAsync(reply, problem ?? "That button is outdated.", cancellationToken);
                        break;
                    }

                    proposer.StartProposal(parts[0], user, kind.Value, arguments, action.ActionId == ButtonIds.DryRun, reply);
                    break;
                }

                case ButtonIds.Approve or ButtonIds.ApproveAcceptingRisk:
                {
                    var parts = ButtonIds.Parts(action.Value, 2);
                    await approvals.ApproveAsync(parts[0], parts[1], user, action.ActionId == ButtonIds.ApproveAcceptingRisk, reply, cancellationToken);
                    break;
                }

                case ButtonIds.Reject:
                {
                    var parts = ButtonIds.Parts(action.Value, 2);
                    await approvals.RejectAsync(parts[0], parts[1], user, reply, cancellationToken);
                    break;
                }

                case ButtonIds.Diagnose:
                    await diagnostics.DiagnoseAsync(action.Value ?? string.Empty, user, reply, cancellationToken);
                    break;
                case ButtonIds.Escalate:
                    await commands.EscalateAsync(action.Value ?? string.Empty, user, reply, cancellationToken);
                    break;
                default:
                    await commands.HelpAsync(reply, "That button is not one of ours, or it is outdated.", cancellationToken);
                    break;
            }
        }
    }

    private async Task OnIncidentInChannelAsync(string channel, ReplyTarget reply, Func<string, Task> next, CancellationToken cancellationToken)
    {
        var id = await commands.OpenIncidentIdAsync(channel, cancellationToken);
        if (id is null)
        {
            await commands.HelpAsync(reply, "There is no open incident in this channel: `/dbincident start <summary>` opens one.", cancellationToken);
            return;
        }

        await next(id);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Ignored inbound {Kind} {Key}")]
        public static partial void Ignored(ILogger logger, string kind, string key);
    }
}
