using System.Net.WebSockets;
using System.Text.Json;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Inbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.SocketMode;

/// <summary>
/// Socket Mode (docs/slack.md), when <c>Slack:AppToken</c> is set: <see cref="SlackOptions.SocketModeConnections"/>
/// connections (two by default), opened <see cref="SlackOptions.SocketModeStagger"/> apart so they do not refresh
/// together. Each one: apps.connections.open → WebSocket → <c>hello</c> → envelopes go through the same
/// <see cref="SlackInboundPipeline"/> as HTTP and are acked with <c>{"envelope_id":…}</c> as soon as they are
/// stored → on <c>disconnect</c> (warning, refresh_requested) a replacement is connected before the old one is
/// closed; <c>link_disabled</c> or a bad token stops Socket Mode; failures reconnect after
/// <see cref="SlackOptions.SocketModeReconnectDelay"/> × consecutive failures (≤ 1 min).
/// </summary>
internal sealed partial class SocketModeService(
    IServiceScopeFactory scopes,
    IOptionsMonitor<SlackOptions> options,
    TimeProvider time,
    ILogger<SocketModeService> logger) : BackgroundService
{
    private static readonly HashSet<string> FatalErrors = new(StringComparer.Ordinal)
    {
        "not_authed", "invalid_auth", "account_inactive", "user_removed_from_team", "team_disabled",
        "not_allowed_token_type", "not_configured", "token_revoked", "missing_scope",
    };

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromMinutes(1);

    /// <summary>What <see cref="ReceiveAsync"/> returns for a frame over the cap (not a reason Slack sends).</summary>
    private const string FrameTooLarge = "cerberus:frame_too_large";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(settings.AppToken))
        {
            return;
        }

        Log.Starting(logger, settings.SocketModeConnections);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var connections = Enumerable.Range(0, settings.SocketModeConnections)
            .Select(i => RunConnectionAsync(i, settings.SocketModeStagger * i, stop))
            .ToList();
        await Task.WhenAll(connections);
    }

    private async Task RunConnectionAsync(int index, TimeSpan initialDelay, CancellationTokenSource stop)
    {
        var token = stop.Token;
        ClientWebSocket? socket = null;
        var failures = 0;
        try
        {
            if (initialDelay > TimeSpan.Zero)
            {
                await Task.Delay(initialDelay, time, token);
            }

            while (!token.IsCancellationRequested)
            {
                try
                {
                    socket ??= await ConnectAsync(index, token);
                    var reason = await ReceiveAsync(index, socket, () => failures = 0, token);
                    if (reason == FrameTooLarge)
                    {
                        // Dropped unread: close this connection (1009) and open a fresh one after the usual delay.
                        await AbandonAsync(socket);
                        socket = null;
                        failures++;
                    }
                    else if (reason == "link_disabled")
                    {
                        Log.LinkDisabled(logger, index);
                        await stop.CancelAsync();
                        break;
                    }
                    else if (reason is not null)
                    {
                        // Slack will close this one soon: open the replacement first, so nothing is missed.
                        Log.Refreshing(logger, index, reason);
                        var replacement = await ConnectAsync(index, token);
                        await CloseAsync(socket);
                        socket = replacement;
                        continue;
                    }
                    else
                    {
                        Log.Closed(logger, index);
                        socket.Dispose();
                        socket = null;
                        failures++;
                    }
                }
                catch (SlackApiException ex) when (FatalErrors.Contains(ex.Error))
                {
                    Log.Fatal(logger, index, ex.Error);
                    await stop.CancelAsync();
                    break;
                }
                catch (Exception ex) when (!token.IsCancellationRequested && ex is WebSocketException or SlackApiException or HttpRequestException or IOException or JsonException)
                {
                    Log.ConnectionFailed(logger, index, ex.Message);
                    socket?.Dispose();
                    socket = null;
                    failures++;
                }

                var delay = TimeSpan.FromTicks(Math.Min(options.CurrentValue.SocketModeReconnectDelay.Ticks * failures, MaxReconnectDelay.Ticks));
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            if (socket is not null)
            {
                await CloseAsync(socket);
            }
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(int index, CancellationToken cancellationToken)
    {
        Uri url;
        await using (var scope = scopes.CreateAsyncScope())
        {
            url = await scope.ServiceProvider.GetRequiredService<ISlackApi>().OpenSocketModeUrlAsync(cancellationToken);
        }

        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        try
        {
            await socket.ConnectAsync(url, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Log.Connected(logger, index);
        return socket;
    }

    /// <summary>
    /// Reads until Slack sends <c>disconnect</c> (its reason is returned), the socket closes (null), or a frame grows
    /// over <see cref="SlackOptions.SocketModeMaxFrameBytes"/> (<see cref="FrameTooLarge"/>; the rest is never read).
    /// </summary>
    private async Task<string?> ReceiveAsync(int index, ClientWebSocket socket, Action onHello, CancellationToken cancellationToken)
    {
        var maxFrame = options.CurrentValue.SocketModeMaxFrameBytes;
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            if (message.Length + result.Count > maxFrame)
            {
                Log.FrameTooLarge(logger, index, maxFrame);
                return FrameTooLarge;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(message.ToArray());
            }
            catch (JsonException)
            {
                Log.BadFrame(logger, index);
                continue;
            }
            finally
            {
                message.SetLength(0);
            }

            using var frame = document;
            var root = frame.RootElement;
            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type == "hello")
            {
                onHello();
                Log.Hello(logger, index);
            }
            else if (type == "disconnect")
            {
                return root.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() ?? "unknown" : "unknown";
            }
            else if (root.TryGetProperty("envelope_id", out var envelope) && envelope.ValueKind == JsonValueKind.String)
            {
                await HandleEnvelopeAsync(socket, envelope.GetString()!, type, root, cancellationToken);
            }
        }

        return null;
    }

    private async Task HandleEnvelopeAsync(ClientWebSocket socket, string envelopeId, string? type, JsonElement envelope, CancellationToken cancellationToken)
    {
        var payload = envelope.TryGetProperty("payload", out var p) ? p : default;
        InboundOutcome outcome;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var pipeline = scope.ServiceProvider.GetRequiredService<SlackInboundPipeline>();
            outcome = type switch
            {
                "slash_commands" => await pipeline.AcceptCommandAsync(SlackPayloadParser.FieldsOf(payload), cancellationToken),
                "interactive" => await pipeline.AcceptInteractionAsync(payload, cancellationToken),
                "events_api" => await pipeline.AcceptEventAsync(payload, cancellationToken),
                _ => InboundOutcome.Ignored,
            };
            Log.Envelope(logger, type ?? "?", outcome);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not stored: no ack, so that Slack retries what it retries (events) and the user sees the failure.
            Log.EnvelopeFailed(logger, type ?? "?", ex);
            return;
        }

        // A refused slash command is answered in the ack (Slack shows it to the user only), when Slack accepts one.
        var answer = type == "slash_commands" && AcceptsResponsePayload(envelope) ? SlackInboundPipeline.AnswerOf(outcome) : null;
        var ack = answer is null
            ? JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["envelope_id"] = envelopeId })
            : JsonSerializer.SerializeToUtf8Bytes(new { envelope_id = envelopeId, payload = new { response_type = "ephemeral", text = answer } });
        await socket.SendAsync(ack, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    private static bool AcceptsResponsePayload(JsonElement envelope) =>
        envelope.TryGetProperty("accepts_response_payload", out var accepts) && accepts.ValueKind == JsonValueKind.True;

    /// <summary>Sends a 1009 close without waiting for the rest of the frame or for Slack's answer, then drops the socket.</summary>
    private static async Task AbandonAsync(ClientWebSocket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "frame too large", timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Already gone.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static async Task CloseAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "refresh", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Closing a socket Slack already dropped.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Socket Mode: starting {Connections} connection(s)")]
        public static partial void Starting(ILogger logger, int connections);

        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Socket Mode #{Index}: connected")]
        public static partial void Connected(ILogger logger, int index);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Socket Mode #{Index}: hello")]
        public static partial void Hello(ILogger logger, int index);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Socket Mode #{Index}: disconnect ({Reason}); connecting a replacement first")]
        public static partial void Refreshing(ILogger logger, int index, string reason);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Socket Mode #{Index}: Slack disabled the link; Socket Mode stops")]
        public static partial void LinkDisabled(ILogger logger, int index);

        [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Socket Mode #{Index}: {Error}; Socket Mode stops (check Slack__AppToken)")]
        public static partial void Fatal(ILogger logger, int index, string error);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Socket Mode #{Index}: connection failed ({Reason}); reconnecting")]
        public static partial void ConnectionFailed(ILogger logger, int index, string reason);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Socket Mode #{Index}: closed by the server; reconnecting")]
        public static partial void Closed(ILogger logger, int index);

        [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Socket Mode: {Type} envelope {Outcome}")]
        public static partial void Envelope(ILogger logger, string type, InboundOutcome outcome);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Socket Mode #{Index}: a frame that is not JSON was ignored")]
        public static partial void BadFrame(ILogger logger, int index);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Socket Mode #{Index}: a frame over {MaxBytes} bytes (Slack__SocketModeMaxFrameBytes) was dropped unread; closing this connection (1009) and reconnecting")]
        public static partial void FrameTooLarge(ILogger logger, int index, int maxBytes);

        [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Socket Mode: {Type} envelope could not be stored; not acknowledged")]
        public static partial void EnvelopeFailed(ILogger logger, string type, Exception exception);
    }
}
