using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>
/// A fake Slack Socket Mode endpoint on Kestrel (127.0.0.1, port 0): <c>apps.connections.open</c> hands out its
/// own ws:// URL; each WebSocket gets <c>hello</c>; tests push envelopes and <c>disconnect</c> messages, and the
/// server records every ack (<c>{"envelope_id":…}</c>).
/// </summary>
public sealed class FakeSocketModeServer : IAsyncDisposable
{
    /// <summary>How long the waits below poll unless told otherwise.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    /// <summary>How often they poll: the socket round trips are quick.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentQueue<string> _openAuthorizations = new();
    private readonly ConcurrentQueue<FakeSocketConnection> _connections = new();
    private readonly ConcurrentDictionary<string, JsonObject> _acks = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private int _ids;

    private FakeSocketModeServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public string ApiBaseUrl => BaseUrl + "api/";

    /// <summary>When set, apps.connections.open answers ok:false with this error.</summary>
    public string? OpenError { get; set; }

    public IReadOnlyList<string> OpenAuthorizations => [.. _openAuthorizations];

    public IReadOnlyList<FakeSocketConnection> Connections => [.. _connections];

    public IReadOnlyList<FakeSocketConnection> OpenConnections => [.. _connections.Where(c => c.IsOpen)];

    public IReadOnlyDictionary<string, JsonObject> Acks => _acks;

    public static async Task<FakeSocketModeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeSocketModeServer(app);
        app.UseWebSockets();
        app.MapPost("/api/apps.connections.open", (HttpContext context) => server.Open(context));
        app.Map("/link", (HttpContext context) => server.LinkAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async Task<IReadOnlyList<FakeSocketConnection>> WaitForOpenConnectionsAsync(int count, TimeSpan? timeout = null)
    {
        await Eventually.Async(() => OpenConnections.Count >= count, timeout ?? DefaultWait, $"fewer than {count} open connection(s)", Poll);
        return OpenConnections;
    }

    /// <summary>Sends an envelope to <paramref name="connection"/>; returns its envelope_id.</summary>
    public async Task<string> SendEnvelopeAsync(FakeSocketConnection connection, string type, JsonNode payload, int? retryAttempt = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var id = "env-" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture);
        var envelope = new JsonObject
        {
            ["envelope_id"] = id,
            ["type"] = type,
            ["payload"] = payload.DeepClone(),
            ["accepts_response_payload"] = type != "events_api",
        };
        if (retryAttempt is { } attempt)
        {
            envelope["retry_attempt"] = attempt;
            envelope["retry_reason"] = "timeout";
        }

        await SendAsync(connection, envelope);
        return id;
    }

    /// <summary>Sends a raw text frame (e.g. something that is not JSON).</summary>
    public async Task SendRawAsync(FakeSocketConnection connection, string text)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.SendLock.WaitAsync();
        try
        {
            await connection.Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            connection.SendLock.Release();
        }
    }

    public Task SendDisconnectAsync(FakeSocketConnection connection, string reason) =>
        SendAsync(connection, new JsonObject { ["type"] = "disconnect", ["reason"] = reason, ["debug_info"] = new JsonObject { ["host"] = "applink-fake" } });

    /// <summary>Closes the socket from the server side without a disconnect message (a dropped link).</summary>
    public async Task DropAsync(FakeSocketConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Socket.Abort();
        connection.ClosedAt ??= DateTimeOffset.UtcNow;
        await Task.Yield();
    }

    public Task WaitForAckAsync(string envelopeId, TimeSpan? timeout = null) =>
        Eventually.Async(() => _acks.ContainsKey(envelopeId), timeout ?? DefaultWait, $"no ack of {envelopeId}", Poll);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            connection.Socket.Abort();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Open(HttpContext context)
    {
        _openAuthorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        if (OpenError is { } error)
        {
            return Results.Json(new JsonObject { ["ok"] = false, ["error"] = error });
        }

        var ticket = Guid.NewGuid().ToString("N");
        var ws = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/link/", Query = "ticket=" + ticket };
        return Results.Json(new JsonObject { ["ok"] = true, ["url"] = ws.Uri.ToString() });
    }

    private async Task LinkAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeSocketConnection(Interlocked.Increment(ref _ids), socket, DateTimeOffset.UtcNow);
        _connections.Enqueue(connection);
        await SendAsync(connection, new JsonObject
        {
            ["type"] = "hello",
            ["num_connections"] = _connections.Count(c => c.IsOpen),
            ["connection_info"] = new JsonObject { ["app_id"] = "A0CERBERUS" },
            ["debug_info"] = new JsonObject { ["host"] = "applink-fake", ["approximate_connection_time"] = 3600 },
        });
        var buffer = new byte[16 * 1024];
        try
        {
            using var message = new MemoryStream();
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    var ack = JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!.AsObject();
                    message.SetLength(0);
                    if (ack["envelope_id"]?.GetValue<string>() is { } id)
                    {
                        _acks[id] = ack;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away.
        }
        finally
        {
            connection.ClosedAt ??= DateTimeOffset.UtcNow;
        }
    }

    private static async Task SendAsync(FakeSocketConnection connection, JsonObject message)
    {
        await connection.SendLock.WaitAsync();
        try
        {
            await connection.Socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            connection.SendLock.Release();
        }
    }
}
