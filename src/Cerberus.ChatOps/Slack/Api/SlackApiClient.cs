using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// The typed HttpClient behind <see cref="ISlackApi"/>. Requests are <c>application/x-www-form-urlencoded</c> with
/// nested values JSON-encoded (as Slack's Node SDK sends them) and the token in the Authorization header; the
/// resilience pipeline (<see cref="SlackResilience"/>) sits in the handler chain. Logs method, status and error
/// code, never a token or a response_url.
/// </summary>
internal sealed partial class SlackApiClient(
    HttpClient http,
    IOptionsMonitor<SlackOptions> options,
    SlackChannelPacer pacer,
    SlackMethodGate gate,
    TimeProvider time,
    ILogger<SlackApiClient> logger) : ISlackApi
{
    public const string MetadataEventType = "cerberus_outbox";
    private const int HistoryPages = 5;

    public async Task<SlackAuthInfo> AuthTestAsync(CancellationToken cancellationToken)
    {
        var r = await CallAsync("auth.test", [], idempotent: true, BotToken, paceChannel: null, cancellationToken);
        return new SlackAuthInfo(Str(r, "team") ?? string.Empty, Str(r, "team_id") ?? string.Empty, Str(r, "user") ?? string.Empty, Str(r, "user_id") ?? string.Empty);
    }

    public async Task<SlackPostResult> PostMessageAsync(string channel, SlackMessage message, string? threadTs, string? outboxId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var form = MessageFields(message);
        form.Add(new("channel", channel));
        if (!string.IsNullOrEmpty(threadTs))
        {
            form.Add(new("thread_ts", threadTs));
        }

        if (!string.IsNullOrEmpty(outboxId))
        {
            var metadata = new JsonObject
            {
                ["event_type"] = MetadataEventType,
                ["event_payload"] = new JsonObject { ["outbox_id"] = outboxId },
            };
            form.Add(new("metadata", metadata.ToJsonString()));
        }

        var r = await CallAsync("chat.postMessage", form, idempotent: false, BotToken, channel, cancellationToken);
        return new SlackPostResult(Str(r, "channel") ?? channel, Str(r, "ts") ?? throw new SlackApiException("chat.postMessage", "invalid_response"));
    }

    public async Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var form = MessageFields(message);
        form.Add(new("channel", channel));
        form.Add(new("ts", ts));
        // Not paced per channel: the ~1 message/s per channel limit is for posting; chat.update is a Tier 3 method,
        // and its 429s are honoured per method like every other.
        await CallAsync("chat.update", form, idempotent: true, BotToken, paceChannel: null, cancellationToken);
    }

    public async Task<string> PostEphemeralAsync(string channel, string user, SlackMessage message, string? threadTs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var form = MessageFields(message);
        form.Add(new("channel", channel));
        form.Add(new("user", user));
        if (!string.IsNullOrEmpty(threadTs))
        {
            form.Add(new("thread_ts", threadTs));
        }

        var r = await CallAsync("chat.postEphemeral", form, idempotent: false, BotToken, channel, cancellationToken);
        return Str(r, "message_ts") ?? string.Empty;
    }

    public async Task PostToResponseUrlAsync(string responseUrl, SlackMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        const string Method = "response_url";
        if (!SlackUrlGuard.IsAllowed(responseUrl, options.CurrentValue.TestAllowedUrlBase))
        {
            Log.UrlRefused(logger, Method);
            throw new SlackApiException(Method, "url_not_allowed");
        }

        var body = new JsonObject { ["text"] = message.Text };
        if (message.Blocks is not null)
        {
            body["blocks"] = message.Blocks.DeepClone();
        }

        body["response_type"] = message.ResponseType ?? "ephemeral";
        body["replace_original"] = message.ReplaceOriginal;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(responseUrl))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };

        // Replacing the original is safe to repeat; a new message is not.
        request.Options.Set(SlackCall.Key, new SlackCall(Method, message.ReplaceOriginal));
        using var response = await SendAsync(Method, request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.TrimStart().StartsWith('{'))
        {
            var r = Parse(Method, text);
            EnsureOk(Method, r, response);
        }

        Log.Called(logger, Method, (int)response.StatusCode);
    }

    public async Task<string> CreateConversationAsync(string name, bool isPrivate, CancellationToken cancellationToken)
    {
        var r = await CallAsync(
            "conversations.create",
            [new("name", name), new("is_private", isPrivate ? "true" : "false")],
            idempotent: false,
            BotToken,
            null,
            cancellationToken);
        return Str(r, "channel", "id") ?? throw new SlackApiException("conversations.create", "invalid_response");
    }

    public async Task InviteAsync(string channel, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        try
        {
            await CallAsync("conversations.invite", [new("channel", channel), new("users", string.Join(",", userIds))], idempotent: true, BotToken, null, cancellationToken);
        }
        catch (SlackApiException ex) when (ex.Error == "already_in_channel")
        {
            // Inviting someone who is there is what we wanted.
        }
    }

    public Task<string?> FindMessageByOutboxIdAsync(string channel, string outboxId, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) =>
        FindAsync(channel, threadTs, oldest, m => m.TryGetProperty("metadata", out var meta)
            && Str(meta, "event_type") == MetadataEventType
            && Str(meta, "event_payload", "outbox_id") == outboxId, cancellationToken);

    public Task<string?> FindFileMessageAsync(string channel, string fileName, string title, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) =>
        FindAsync(channel, threadTs, oldest, m => m.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
            && files.EnumerateArray().Any(f => Str(f, "name") == fileName && Str(f, "title") == title), cancellationToken);

    public async Task<string> UploadFileAsync(string channel, SlackFile file, string? threadTs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var bytes = Encoding.UTF8.GetBytes(file.Content);
        var ticket = await CallAsync(
            "files.getUploadURLExternal",
            [new("filename", file.FileName), new("length", bytes.Length.ToString(CultureInfo.InvariantCulture))],
            idempotent: true,
            BotToken,
            null,
            cancellationToken);
        var uploadUrl = Str(ticket, "upload_url");
        var fileId = Str(ticket, "file_id");
        if (string.IsNullOrEmpty(fileId) || !SlackUrlGuard.IsAllowed(uploadUrl, options.CurrentValue.TestAllowedUrlBase))
        {
            Log.UrlRefused(logger, "upload");
            throw new SlackApiException("files.getUploadURLExternal", "url_not_allowed");
        }

        using (var upload = new HttpRequestMessage(HttpMethod.Post, new Uri(uploadUrl!)) { Content = new ByteArrayContent(bytes) })
        {
            upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BotToken);

            // Uploading the same bytes to the same file id again is harmless.
            upload.Options.Set(SlackCall.Key, new SlackCall("upload", Idempotent: true));
            using var response = await SendAsync("upload", upload, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new SlackApiException("upload", $"http_{(int)response.StatusCode}", (int)response.StatusCode);
            }
        }

        var files = new JsonArray(new JsonObject { ["id"] = fileId, ["title"] = file.Title });
        var form = new List<KeyValuePair<string, string>> { new("files", files.ToJsonString()), new("channel_id", channel) };
        if (!string.IsNullOrEmpty(threadTs))
        {
            form.Add(new("thread_ts", threadTs));
        }

        await CallAsync("files.completeUploadExternal", form, idempotent: false, BotToken, channel, cancellationToken);
        return fileId;
    }

    public async Task<IReadOnlyList<string>> UserGroupMembersAsync(string userGroupId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userGroupId);
        var r = await CallAsync("usergroups.users.list", [new("usergroup", userGroupId), new("include_disabled", "false")], idempotent: true, BotToken, paceChannel: null, cancellationToken);
        if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
        {
            throw new SlackApiException("usergroups.users.list", "invalid_response");
        }

        return [.. users.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.String).Select(u => u.GetString()!)];
    }

    public async Task<Uri> OpenSocketModeUrlAsync(CancellationToken cancellationToken)
    {
        var r = await CallAsync("apps.connections.open", [], idempotent: true, options.CurrentValue.AppToken, null, cancellationToken);
        if (!Uri.TryCreate(Str(r, "url"), UriKind.Absolute, out var url) || (url.Scheme != "wss" && url.Scheme != "ws"))
        {
            throw new SlackApiException("apps.connections.open", "invalid_response");
        }

        if (options.CurrentValue.SocketModeDebugReconnects)
        {
            url = new Uri(url + (string.IsNullOrEmpty(url.Query) ? "?" : "&") + "debug_reconnects=true");
        }

        return url;
    }

    private string? BotToken => options.CurrentValue.BotToken;

    private static List<KeyValuePair<string, string>> MessageFields(SlackMessage message)
    {
        var form = new List<KeyValuePair<string, string>> { new("text", message.Text) };
        if (message.Blocks is not null)
        {
            form.Add(new("blocks", message.Blocks.ToJsonString()));
        }

        return form;
    }

    private async Task<string?> FindAsync(string channel, string? threadTs, DateTimeOffset oldest, Func<JsonElement, bool> match, CancellationToken cancellationToken)
    {
        var method = threadTs is null ? "conversations.history" : "conversations.replies";
        string? cursor = null;
        for (var page = 0; page < HistoryPages; page++)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("channel", channel),
                new("oldest", oldest.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                new("include_all_metadata", "true"),
                new("limit", "200"),
            };
            if (threadTs is not null)
            {
                form.Add(new("ts", threadTs));
            }

            if (cursor is not null)
            {
                form.Add(new("cursor", cursor));
            }

            var r = await CallAsync(method, form, idempotent: true, BotToken, null, cancellationToken);
            if (r.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in messages.EnumerateArray())
                {
                    if (match(m))
                    {
                        return Str(m, "ts");
                    }
                }
            }

            cursor = Str(r, "response_metadata", "next_cursor");
            if (string.IsNullOrEmpty(cursor))
            {
                return null;
            }
        }

        return null;
    }

    private async Task<JsonElement> CallAsync(
        string method,
        IEnumerable<KeyValuePair<string, string>> form,
        bool idempotent,
        string? token,
        string? paceChannel,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            throw new SlackApiException(method, "not_configured");
        }

        if (paceChannel is not null)
        {
            await pacer.WaitTurnAsync(paceChannel, cancellationToken);
        }

        await gate.WaitAsync(method, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, method) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Options.Set(SlackCall.Key, new SlackCall(method, idempotent));
        using var response = await SendAsync(method, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = SlackResilience.RetryAfterOf(response, time);
            gate.Block(method, retryAfter);
            CerberusMetrics.SlackRateLimited(method);
            CerberusMetrics.SlackApiCalled(method, "http_429");
            Log.CallFailed(logger, method, 429, "ratelimited");
            throw new SlackApiException(method, "ratelimited", 429, retryAfter);
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            CerberusMetrics.SlackApiCalled(method, $"http_{status}");
            Log.CallFailed(logger, method, status, $"http_{status}");
            throw new SlackApiException(method, $"http_{status}", status);
        }

        var result = Parse(method, await response.Content.ReadAsStringAsync(cancellationToken));
        CerberusMetrics.SlackApiCalled(method, result.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True
            ? "ok"
            : result.TryGetProperty("error", out var error) && error.GetString() is { Length: > 0 } code ? code : "error");
        EnsureOk(method, result, response);
        Log.Called(logger, method, (int)response.StatusCode);
        return result;
    }

    private async Task<HttpResponseMessage> SendAsync(string method, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            Log.CallFailed(logger, method, 0, "network_error");
            throw new SlackApiException(method, "network_error", innerException: ex);
        }
        catch (TimeoutRejectedException ex)
        {
            Log.CallFailed(logger, method, 0, "timeout");
            throw new SlackApiException(method, "timeout", innerException: ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.CallFailed(logger, method, 0, "timeout");
            throw new SlackApiException(method, "timeout", innerException: ex);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Trace))
            {
                var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
                Log.Elapsed(logger, method, elapsedMs);
            }
        }
    }

    private void EnsureOk(string method, JsonElement result, HttpResponseMessage response)
    {
        if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False)
        {
            var error = Str(result, "error") ?? "unknown_error";
            Log.CallFailed(logger, method, (int)response.StatusCode, error);
            TimeSpan? retryAfter = error == "ratelimited" ? SlackResilience.RetryAfterOf(response, time) : null;
            if (retryAfter is { } wait)
            {
                gate.Block(method, wait);
            }

            throw new SlackApiException(method, error, (int)response.StatusCode, retryAfter);
        }

        if (result.ValueKind == JsonValueKind.Object && Str(result, "warning") is { } warning)
        {
            Log.Warning(logger, method, warning);
        }
    }

    private static JsonElement Parse(string method, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new SlackApiException(method, "invalid_response", innerException: ex);
        }
    }

    private static string? Str(JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Slack {Method}: HTTP {Status}, ok")]
        public static partial void Called(ILogger logger, string method, int status);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Slack {Method}: HTTP {Status}, error {Error}")]
        public static partial void CallFailed(ILogger logger, string method, int status, string error);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Slack {Method}: warning {Warning}")]
        public static partial void Warning(ILogger logger, string method, string warning);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Slack {Method}: refused a URL outside Slack's hosts")]
        public static partial void UrlRefused(ILogger logger, string method);

        [LoggerMessage(EventId = 5, Level = LogLevel.Trace, Message = "Slack {Method}: {ElapsedMs} ms")]
        public static partial void Elapsed(ILogger logger, string method, double elapsedMs);
    }
}
