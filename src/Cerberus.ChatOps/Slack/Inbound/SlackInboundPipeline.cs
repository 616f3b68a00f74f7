using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// The one path every verified Slack request takes, from HTTP or Socket Mode: parse → one workspace
/// (<see cref="SlackWorkspaceGate"/>: another workspace, org or app is refused here, before anything is stored) →
/// dedupe and enqueue in one step (<see cref="IInboxStore.TryAddAsync"/>: the row joins the store's next group
/// commit, and this returns once that commit is durable) → signal the worker. Nothing slow: one commit, shared.
/// The stored payload is the JSON (System.Text.Json defaults) of <see cref="SlashCommand"/> or
/// <see cref="InteractionPayload"/>, or the raw event callback.
/// </summary>
internal sealed partial class SlackInboundPipeline(
    IInboxStore inbox,
    InboundSignal signal,
    SlackWorkspaceGate gate,
    TimeProvider time,
    ILogger<SlackInboundPipeline> logger)
{
    public Task<InboundOutcome> AcceptCommandAsync(IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        if (!SlackPayloadParser.TryParseCommand(fields, out var command, out var key))
        {
            Log.Rejected(logger, InboundKinds.Command);
            return Task.FromResult(InboundOutcome.Invalid);
        }

        return Admit(InboundKinds.Command, SlackPayloadParser.OriginOfCommand(fields)) is { } refused
            ? Task.FromResult(refused)
            : StoreAsync(key, InboundKinds.Command, JsonSerializer.Serialize(command), cancellationToken);
    }

    public Task<InboundOutcome> AcceptInteractionAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        if (!SlackPayloadParser.TryParseInteraction(payload, out var interaction, out var key))
        {
            Log.Rejected(logger, InboundKinds.Interaction);
            return Task.FromResult(InboundOutcome.Invalid);
        }

        return Admit(InboundKinds.Interaction, SlackPayloadParser.OriginOfInteraction(payload)) is { } refused
            ? Task.FromResult(refused)
            : StoreAsync(key, InboundKinds.Interaction, JsonSerializer.Serialize(interaction), cancellationToken);
    }

    public Task<InboundOutcome> AcceptEventAsync(JsonElement body, CancellationToken cancellationToken)
    {
        if (!SlackPayloadParser.TryParseEventKey(body, out var key))
        {
            Log.Rejected(logger, InboundKinds.Event);
            return Task.FromResult(InboundOutcome.Invalid);
        }

        if (Admit(InboundKinds.Event, SlackPayloadParser.OriginOfEvent(body)) is { } refused)
        {
            return Task.FromResult(refused);
        }

        return key is null
            ? Task.FromResult(InboundOutcome.Ignored)
            : StoreAsync(key, InboundKinds.Event, body.GetRawText(), cancellationToken);
    }

    /// <summary>The text a refused slash command is answered with (ephemeral), or null when it was not refused.</summary>
    public static string? AnswerOf(InboundOutcome outcome) => outcome switch
    {
        InboundOutcome.Refused => SlackWorkspaceGate.ForeignAnswer,
        InboundOutcome.RefusedOwnWorkspaceUnknown => SlackWorkspaceGate.UnknownAnswer,
        _ => null,
    };

    /// <summary>Null when the request may go on; otherwise the refusal, logged with its ids only (no user content).</summary>
    private InboundOutcome? Admit(string kind, SlackOrigin origin)
    {
        var verdict = gate.Check(origin);
        if (verdict == WorkspaceVerdict.Allowed)
        {
            return null;
        }

        if (verdict == WorkspaceVerdict.OwnWorkspaceUnknown)
        {
            Log.RefusedUnknown(logger, kind, origin.TeamId ?? "none", origin.EnterpriseId ?? "none", origin.UserTeamId ?? "none");
            return InboundOutcome.RefusedOwnWorkspaceUnknown;
        }

        Log.Refused(logger, kind, verdict, origin.TeamId ?? "none", origin.EnterpriseId ?? "none", origin.UserTeamId ?? "none", origin.AppId ?? "none", gate.OwnTeamId ?? "none");
        return InboundOutcome.Refused;
    }

    private async Task<InboundOutcome> StoreAsync(string key, string kind, string payload, CancellationToken cancellationToken)
    {
        var item = new InboundItem { Key = key, Kind = kind, Payload = payload, ReceivedAt = time.GetUtcNow() };
        if (!await inbox.TryAddAsync(item, cancellationToken))
        {
            Log.Duplicate(logger, kind, key);
            return InboundOutcome.Duplicate;
        }

        signal.Notify();
        Log.Accepted(logger, kind, key);
        return InboundOutcome.Accepted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Slack {Kind} accepted ({Key})")]
        public static partial void Accepted(ILogger logger, string kind, string key);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Slack {Kind} is a duplicate of {Key}; acknowledged, not queued again")]
        public static partial void Duplicate(ILogger logger, string kind, string key);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Slack {Kind} payload could not be read; rejected")]
        public static partial void Rejected(ILogger logger, string kind);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Slack {Kind} refused ({Verdict}): team {TeamId}, enterprise {EnterpriseId}, user team {UserTeamId}, app {AppId}; this app serves {OwnTeamId} and the listed Slack__AllowedTeamIds/AllowedEnterpriseIds only; not stored")]
        public static partial void Refused(ILogger logger, string kind, WorkspaceVerdict verdict, string teamId, string enterpriseId, string userTeamId, string appId, string ownTeamId);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Slack {Kind} refused: team {TeamId} (enterprise {EnterpriseId}, user team {UserTeamId}) is not in Slack__AllowedTeamIds/AllowedEnterpriseIds and auth.test has not answered yet, so this app cannot tell its own workspace (fail closed); not stored")]
        public static partial void RefusedUnknown(ILogger logger, string kind, string teamId, string enterpriseId, string userTeamId);
    }
}
