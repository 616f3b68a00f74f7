using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// The one path every verified Slack request takes, from HTTP or Socket Mode: parse → dedupe and enqueue in one
/// step (<see cref="IInboxStore.TryAddAsync"/>) → signal the worker. Nothing slow: one insert.
/// The stored payload is the JSON (System.Text.Json defaults) of <see cref="SlashCommand"/> or
/// <see cref="InteractionPayload"/>, or the raw event callback.
/// </summary>
internal sealed partial class SlackInboundPipeline(
    IInboxStore inbox,
    IInboundSignal signal,
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

        return StoreAsync(key, InboundKinds.Command, JsonSerializer.Serialize(command), cancellationToken);
    }

    public Task<InboundOutcome> AcceptInteractionAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        if (!SlackPayloadParser.TryParseInteraction(payload, out var interaction, out var key))
        {
            Log.Rejected(logger, InboundKinds.Interaction);
            return Task.FromResult(InboundOutcome.Invalid);
        }

        return StoreAsync(key, InboundKinds.Interaction, JsonSerializer.Serialize(interaction), cancellationToken);
    }

    public Task<InboundOutcome> AcceptEventAsync(JsonElement body, CancellationToken cancellationToken)
    {
        if (!SlackPayloadParser.TryParseEventKey(body, out var key))
        {
            Log.Rejected(logger, InboundKinds.Event);
            return Task.FromResult(InboundOutcome.Invalid);
        }

        return key is null
            ? Task.FromResult(InboundOutcome.Ignored)
            : StoreAsync(key, InboundKinds.Event, body.GetRawText(), cancellationToken);
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
    }
}
