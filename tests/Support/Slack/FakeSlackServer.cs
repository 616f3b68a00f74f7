using System.Globalization;
using System.Net;
using System.Text;
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
/// A fake Slack Web API on a real Kestrel socket (127.0.0.1, port 0). It records every call and answers as Slack
/// does (HTTP 200 with ok:true/ok:false; 429 with Retry-After; 5xx on demand), keeps posted messages with their
/// metadata for conversations.history/replies, keeps the channels it created (unique names: <c>name_taken</c>) for
/// users.conversations, and takes response_url posts and file uploads.
/// </summary>
public sealed class FakeSlackServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<FakeSlackCall> _calls = [];
    private readonly List<FakeSlackMessage> _messages = [];
    private readonly List<FakeFault> _faults = [];
    private readonly List<(string Path, JsonObject Body)> _responsePosts = [];
    private readonly Dictionary<string, byte[]> _uploads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _uploadNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _userGroups = new(StringComparer.Ordinal);
    private readonly List<FakeSlackChannel> _channels = [];
    private readonly WebApplication _app;
    private long _ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1_000_000;
    private int _ids;

    private FakeSlackServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public string ApiBaseUrl => BaseUrl + "api/";

    public IReadOnlyList<FakeSlackCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<FakeSlackMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The channels that exist: created by conversations.create, or seeded.</summary>
    public IReadOnlyList<FakeSlackChannel> Channels
    {
        get
        {
            lock (_lock)
            {
                return [.. _channels];
            }
        }
    }

    public IReadOnlyList<(string Path, JsonObject Body)> ResponsePosts
    {
        get
        {
            lock (_lock)
            {
                return [.. _responsePosts];
            }
        }
    }

    public IReadOnlyDictionary<string, byte[]> Uploads
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, byte[]>(_uploads);
            }
        }
    }

    public static async Task<FakeSlackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeSlackServer(app);
        app.MapPost("/api/{method}", (HttpContext context, string method) => server.ApiAsync(context, method));
        app.MapPost("/upload/{fileId}", (HttpContext context, string fileId) => server.UploadAsync(context, fileId));
        app.MapPost("/response/{id}", (HttpContext context, string id) => server.ResponseAsync(context, id));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public IReadOnlyList<FakeSlackCall> CallsTo(string method) => [.. Calls.Where(c => c.Method == method)];

    /// <summary>The next <paramref name="count"/> calls of <paramref name="method"/> ("*" for any) get HTTP <paramref name="status"/> (with Retry-After when given) and are not processed.</summary>
    public void FailNext(string method, int count, int status, int? retryAfterSeconds = null) =>
        AddFault(new FakeFault(method, count, null, status, retryAfterSeconds, null, false));

    /// <summary>Every call of <paramref name="method"/> ("*" for all) during <paramref name="window"/> gets HTTP <paramref name="status"/>.</summary>
    public void FailFor(string method, TimeSpan window, int status, int? retryAfterSeconds = null) =>
        AddFault(new FakeFault(method, int.MaxValue, DateTimeOffset.UtcNow + window, status, retryAfterSeconds, null, false));

    /// <summary>The next <paramref name="count"/> calls answer HTTP 200 <c>{"ok":false,"error":…}</c>.</summary>
    public void ErrorNext(string method, string error, int count = 1) =>
        AddFault(new FakeFault(method, count, null, 200, null, error, false));

    /// <summary>The next <paramref name="count"/> calls are processed (a message is posted) and then answered with HTTP 500: Slack's ambiguous failure.</summary>
    public void FailAfterProcessingNext(string method, int count = 1) =>
        AddFault(new FakeFault(method, count, null, 500, null, null, true));

    /// <summary>Defines a user group (S…) for usergroups.users.list; unknown groups answer no_such_subteam.</summary>
    public void SetUserGroup(string id, params string[] members)
    {
        lock (_lock)
        {
            _userGroups[id] = members;
        }
    }

    /// <summary>A channel that exists already, without the bot in it (conversations.create of its name answers name_taken).</summary>
    public string SeedChannel(string name, DateTimeOffset created)
    {
        lock (_lock)
        {
            var id = "C" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture);
            _channels.Add(new FakeSlackChannel(id, name, false, created.ToUnixTimeSeconds(), BotIsMember: false));
            return id;
        }
    }

    /// <summary>A response_url on this server.</summary>
    public string NewResponseUrl() => BaseUrl + "response/" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture);

    /// <summary>Puts a message into a channel as if it had been posted before (e.g. by a bot that then crashed).</summary>
    public string Seed(string channel, string text, string? threadTs = null, string? outboxId = null)
    {
        var metadata = outboxId is null ? null : new JsonObject { ["event_type"] = "cerberus_outbox", ["event_payload"] = new JsonObject { ["outbox_id"] = outboxId } };
        lock (_lock)
        {
            var ts = NextTs();
            _messages.Add(new FakeSlackMessage(channel, ts, threadTs, text, null, metadata, null));
            return ts;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void AddFault(FakeFault fault)
    {
        lock (_lock)
        {
            _faults.Add(fault);
        }
    }

    private async Task<IResult> ApiAsync(HttpContext context, string method)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Request.HasFormContentType)
        {
            foreach (var (key, value) in await context.Request.ReadFormAsync())
            {
                form[key] = value.ToString();
            }
        }

        var auth = context.Request.Headers.Authorization.ToString();
        FakeFault? fault;
        lock (_lock)
        {
            fault = TakeFault(method);
        }

        if (fault is { AfterProcessing: false })
        {
            Record(method, form, auth, fault.Status, fault.Error);
            if (fault.RetryAfter is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return fault.Error is not null
                ? Results.Json(new JsonObject { ["ok"] = false, ["error"] = fault.Error })
                : Results.StatusCode(fault.Status);
        }

        if (string.IsNullOrEmpty(auth) || !auth.StartsWith("Bearer x", StringComparison.Ordinal))
        {
            Record(method, form, auth, 200, "not_authed");
            return Results.Json(new JsonObject { ["ok"] = false, ["error"] = "not_authed" });
        }

        JsonObject answer;
        lock (_lock)
        {
            answer = Handle(method, form);
        }

        var error = answer["ok"]!.GetValue<bool>() ? null : answer["error"]!.GetValue<string>();
        if (fault is { AfterProcessing: true })
        {
            Record(method, form, auth, 500, null);
            return Results.StatusCode(500);
        }

        Record(method, form, auth, 200, error);
        return Results.Json(answer);
    }

    private JsonObject Handle(string method, Dictionary<string, string> form)
    {
        string Field(string name) => form.TryGetValue(name, out var v) ? v : string.Empty;
        JsonObject Ok(JsonObject? extra = null)
        {
            var o = new JsonObject { ["ok"] = true };
            foreach (var (k, v) in extra ?? [])
            {
                o[k] = v?.DeepClone();
            }

            return o;
        }

        JsonObject Error(string code) => new() { ["ok"] = false, ["error"] = code };

        switch (method)
        {
            case "auth.test":
                return Ok(new JsonObject { ["url"] = "https://cerberus-test.slack.com/", ["team"] = "Cerberus Test", ["team_id"] = "T0CERB", ["user"] = "cerberus", ["user_id"] = "U0BOT", ["bot_id"] = "B0BOT" });
            case "usergroups.users.list":
                lock (_lock)
                {
                    return _userGroups.TryGetValue(Field("usergroup"), out var members)
                        ? Ok(new JsonObject { ["users"] = new JsonArray([.. members.Select(m => JsonValue.Create(m))]) })
                        : Error("no_such_subteam");
                }

            case "chat.postMessage":
                {
                    var channel = Field("channel");
                    if (channel.StartsWith("CGONE", StringComparison.Ordinal))
                    {
                        return Error("channel_not_found");
                    }

                    if (string.IsNullOrEmpty(Field("text")) && string.IsNullOrEmpty(Field("blocks")))
                    {
                        return Error("no_text");
                    }

                    var ts = NextTs();
                    var message = new FakeSlackMessage(
                        channel,
                        ts,
                        form.GetValueOrDefault("thread_ts"),
                        Field("text"),
                        form.TryGetValue("blocks", out var b) ? JsonNode.Parse(b) : null,
                        form.TryGetValue("metadata", out var m) ? JsonNode.Parse(m) : null,
                        null);
                    _messages.Add(message);
                    return Ok(new JsonObject { ["channel"] = channel, ["ts"] = ts, ["message"] = new JsonObject { ["text"] = message.Text, ["ts"] = ts } });
                }

            case "chat.update":
                {
                    var index = _messages.FindIndex(x => x.Channel == Field("channel") && x.Ts == Field("ts"));
                    if (index < 0)
                    {
                        return Error("message_not_found");
                    }

                    _messages[index] = _messages[index] with { Text = Field("text"), Blocks = form.TryGetValue("blocks", out var b) ? JsonNode.Parse(b) : null };
                    return Ok(new JsonObject { ["channel"] = Field("channel"), ["ts"] = Field("ts") });
                }

            case "chat.postEphemeral":
                return string.IsNullOrEmpty(Field("user")) ? Error("user_not_in_channel") : Ok(new JsonObject { ["message_ts"] = NextTs() });
            case "conversations.create":
                {
                    if (_channels.Any(c => c.Name == Field("name")))
                    {
                        return Error("name_taken");
                    }

                    var channel = new FakeSlackChannel("C" + Interlocked.Increment(ref _ids), Field("name"), Field("is_private") == "true", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), BotIsMember: true);
                    _channels.Add(channel);
                    return Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = channel.Id, ["name"] = channel.Name, ["created"] = channel.Created } });
                }

            case "users.conversations":
                {
                    // Two to a page, so that callers page through.
                    var type = Field("types") == "private_channel";
                    var mine = _channels.Where(c => c.BotIsMember && c.IsPrivate == type).ToList();
                    var offset = Field("cursor").Length == 0 ? 0 : int.Parse(Field("cursor"), CultureInfo.InvariantCulture);
                    var page = mine.Skip(offset).Take(2).Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["created"] = c.Created, ["is_private"] = c.IsPrivate });
                    var next = offset + 2 < mine.Count ? (offset + 2).ToString(CultureInfo.InvariantCulture) : string.Empty;
                    return Ok(new JsonObject { ["channels"] = new JsonArray([.. page]), ["response_metadata"] = new JsonObject { ["next_cursor"] = next } });
                }

            case "conversations.invite":
                return Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = Field("channel") } });
            case "conversations.history":
            case "conversations.replies":
                {
                    var oldest = decimal.Parse(Field("oldest").Length == 0 ? "0" : Field("oldest"), CultureInfo.InvariantCulture);
                    var withMetadata = Field("include_all_metadata") == "true";
                    var replies = method == "conversations.replies";
                    var list = _messages
                        .Where(x => x.Channel == Field("channel"))
                        .Where(x => replies ? x.ThreadTs == Field("ts") || x.Ts == Field("ts") : x.ThreadTs is null)
                        .Where(x => decimal.Parse(x.Ts, CultureInfo.InvariantCulture) >= oldest)
                        .OrderByDescending(x => x.Ts, StringComparer.Ordinal)
                        .Select(x =>
                        {
                            var o = new JsonObject { ["type"] = "message", ["ts"] = x.Ts, ["text"] = x.Text };
                            if (withMetadata && x.Metadata is not null)
                            {
                                o["metadata"] = x.Metadata.DeepClone();
                            }

                            if (x.Files is not null)
                            {
                                o["files"] = x.Files.DeepClone();
                            }

                            return (JsonNode)o;
                        });
                    return Ok(new JsonObject { ["messages"] = new JsonArray([.. list]), ["has_more"] = false });
                }

            case "files.getUploadURLExternal":
                {
                    var id = "F" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture);
                    _uploadNames[id] = Field("filename");
                    return Ok(new JsonObject { ["upload_url"] = BaseUrl + "upload/" + id, ["file_id"] = id });
                }

            case "files.completeUploadExternal":
                {
                    var files = JsonNode.Parse(Field("files"))!.AsArray();
                    var shared = new JsonArray();
                    foreach (var file in files)
                    {
                        var id = file!["id"]!.GetValue<string>();
                        if (!_uploads.ContainsKey(id))
                        {
                            return Error("file_not_found");
                        }

                        shared.Add(new JsonObject { ["id"] = id, ["name"] = _uploadNames[id], ["title"] = file["title"]?.GetValue<string>() });
                    }

                    if (form.TryGetValue("channel_id", out var channel))
                    {
                        _messages.Add(new FakeSlackMessage(channel, NextTs(), form.GetValueOrDefault("thread_ts"), string.Empty, null, null, shared));
                    }

                    return Ok(new JsonObject { ["files"] = shared.DeepClone() });
                }

            default:
                return Error("unknown_method");
        }
    }

    private async Task<IResult> UploadAsync(HttpContext context, string fileId)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        lock (_lock)
        {
            if (!_uploadNames.ContainsKey(fileId))
            {
                return Results.NotFound();
            }

            _uploads[fileId] = buffer.ToArray();
        }

        return Results.Text("OK - " + buffer.Length, "text/plain");
    }

    private async Task<IResult> ResponseAsync(HttpContext context, string id)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        FakeFault? fault;
        lock (_lock)
        {
            fault = TakeFault("response_url");
            if (fault is null)
            {
                _responsePosts.Add(("/response/" + id, body));
            }
        }

        return fault is null ? Results.Json(new JsonObject { ["ok"] = true }) : Results.StatusCode(fault.Status);
    }

    private FakeFault? TakeFault(string method)
    {
        var now = DateTimeOffset.UtcNow;
        _faults.RemoveAll(f => f.Until is { } until && until < now);
        var fault = _faults.FirstOrDefault(f => f.Method == method || f.Method == "*");
        if (fault is null)
        {
            return null;
        }

        if (fault.Until is null)
        {
            fault.Remaining--;
            if (fault.Remaining <= 0)
            {
                _faults.Remove(fault);
            }
        }

        return fault;
    }

    private void Record(string method, Dictionary<string, string> form, string? auth, int status, string? error)
    {
        lock (_lock)
        {
            _calls.Add(new FakeSlackCall(method, form, auth, DateTimeOffset.UtcNow, status, error));
        }
    }

    private string NextTs()
    {
        var value = Interlocked.Add(ref _ts, 100);
        return (value / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (value % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private sealed class FakeFault(string method, int remaining, DateTimeOffset? until, int status, int? retryAfter, string? error, bool afterProcessing)
    {
        public string Method { get; } = method;

        public int Remaining { get; set; } = remaining;

        public DateTimeOffset? Until { get; } = until;

        public int Status { get; } = status;

        public int? RetryAfter { get; } = retryAfter;

        public string? Error { get; } = error;

        public bool AfterProcessing { get; } = afterProcessing;
    }
}
