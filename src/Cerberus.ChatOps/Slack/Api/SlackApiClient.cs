using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Outbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// The typed HttpClient behind <see cref="ISlackApi"/>: each Web API method as the bot uses it (its fields, whether
/// it is safe to repeat, which channel it is paced on, the shape of its answer). The exchange itself (token, pacing,
/// rate limits, errors, metrics, logs) is <see cref="SlackWebApiTransport"/>'s.
/// </summary>
internal sealed class SlackApiClient : ISlackApi
{
    public const string MetadataEventType = "cerberus_outbox";
    private const int HistoryPages = 5;

    /// <summary>Pages of the bot's channels looked through for one it created (200 each).</summary>
    private const int ChannelPages = 25;

    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly SlackWebApiTransport _slack;

    public SlackApiClient(
        HttpClient http,
        IOptionsMonitor<SlackOptions> options,
        SlackChannelPacer pacer,
        SlackMethodGate gate,
        TimeProvider time,
        ILogger<SlackApiClient> logger)
    {
        _options = options;
        _slack = new SlackWebApiTransport(http, options, pacer, gate, time, logger);
    }

    public async Task<SlackAuthInfo> AuthTestAsync(CancellationToken cancellationToken)
    {
        var r = await _slack.CallAsync("auth.test", [], idempotent: true, BotToken, paceChannel: null, cancellationToken);
        return new SlackAuthInfo(r.StringAt("team") ?? string.Empty, r.StringAt("team_id") ?? string.Empty, r.StringAt("user") ?? string.Empty, r.StringAt("user_id") ?? string.Empty);
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

        var r = await _slack.CallAsync("chat.postMessage", form, idempotent: false, BotToken, channel, cancellationToken);
        return new SlackPostResult(r.StringAt("channel") ?? channel, r.StringAt("ts") ?? throw new SlackApiException("chat.postMessage", "invalid_response"));
    }

    public async Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var form = MessageFields(message);
        form.Add(new("channel", channel));
        form.Add(new("ts", ts));
        // Not paced per channel: the ~1 message/s per channel limit is for posting; chat.update is a Tier 3 method,
        // and its 429s are honoured per method like every other.
        await _slack.CallAsync("chat.update", form, idempotent: true, BotToken, paceChannel: null, cancellationToken);
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

        var r = await _slack.CallAsync("chat.postEphemeral", form, idempotent: false, BotToken, channel, cancellationToken);
        return r.StringAt("message_ts") ?? string.Empty;
    }

    public async Task PostToResponseUrlAsync(string responseUrl, SlackMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new JsonObject { ["text"] = message.Text };
        if (message.Blocks is not null)
        {
            body["blocks"] = message.Blocks.DeepClone();
        }

        body["response_type"] = message.ResponseType ?? "ephemeral";
        body["replace_original"] = message.ReplaceOriginal;

        // Replacing the original is safe to repeat; a new message is not.
        await _slack.PostJsonAsync("response_url", responseUrl, body, idempotent: message.ReplaceOriginal, cancellationToken);
    }

    public async Task<string> CreateConversationAsync(string name, bool isPrivate, CancellationToken cancellationToken)
    {
        var r = await _slack.CallAsync(
            "conversations.create",
            [new("name", name), new("is_private", isPrivate ? "true" : "false")],
            idempotent: false,
            BotToken,
            null,
            cancellationToken);
        return r.StringAt("channel", "id") ?? throw new SlackApiException("conversations.create", "invalid_response");
    }

    public async Task InviteAsync(string channel, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        try
        {
            await _slack.CallAsync("conversations.invite", [new("channel", channel), new("users", string.Join(",", userIds))], idempotent: true, BotToken, null, cancellationToken);
        }
        catch (SlackApiException ex) when (ex.Error == "already_in_channel")
        {
            // Inviting someone who is there is what we wanted.
        }
    }

    public async Task<string?> FindOwnChannelAsync(string name, bool isPrivate, DateTimeOffset createdSince, CancellationToken cancellationToken)
    {
        var since = createdSince.ToUnixTimeSeconds();
        string? cursor = null;
        for (var page = 0; page < ChannelPages; page++)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("types", isPrivate ? "private_channel" : "public_channel"),
                new("exclude_archived", "true"),
                new("limit", "200"),
            };
            if (cursor is not null)
            {
                form.Add(new("cursor", cursor));
            }

            var r = await _slack.CallAsync("users.conversations", form, idempotent: true, BotToken, null, cancellationToken);
            if (r.TryGetProperty("channels", out var channels) && channels.ValueKind == JsonValueKind.Array)
            {
                foreach (var c in channels.EnumerateArray())
                {
                    if (c.StringAt("name") == name && c.TryGetProperty("created", out var created) && created.TryGetInt64(out var at) && at >= since)
                    {
                        return c.StringAt("id");
                    }
                }
            }

            cursor = r.StringAt("response_metadata", "next_cursor");
            if (string.IsNullOrEmpty(cursor))
            {
                return null;
            }
        }

        return null;
    }

    public Task<string?> FindMessageByOutboxIdAsync(string channel, string outboxId, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) =>
        FindAsync(channel, threadTs, oldest, m => m.TryGetProperty("metadata", out var meta)
            && meta.StringAt("event_type") == MetadataEventType
            && meta.StringAt("event_payload", "outbox_id") == outboxId, cancellationToken);

    public Task<string?> FindFileMessageAsync(string channel, string fileName, string title, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) =>
        FindAsync(channel, threadTs, oldest, m => m.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
            && files.EnumerateArray().Any(f => f.StringAt("name") == fileName && f.StringAt("title") == title), cancellationToken);

    public async Task<string> UploadFileAsync(string channel, SlackFile file, string? threadTs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var bytes = Encoding.UTF8.GetBytes(file.Content);
        var ticket = await _slack.CallAsync(
            "files.getUploadURLExternal",
            [new("filename", file.FileName), new("length", bytes.Length.ToString(CultureInfo.InvariantCulture))],
            idempotent: true,
            BotToken,
            null,
            cancellationToken);
        var fileId = ticket.StringAt("file_id");

        // Without a file id there is nothing to complete: refused like an upload URL outside Slack's hosts.
        await _slack.UploadBytesAsync("upload", "files.getUploadURLExternal", string.IsNullOrEmpty(fileId) ? null : ticket.StringAt("upload_url"), bytes, BotToken, cancellationToken);

        var files = new JsonArray(new JsonObject { ["id"] = fileId, ["title"] = file.Title });
        var form = new List<KeyValuePair<string, string>> { new("files", files.ToJsonString()), new("channel_id", channel) };
        if (!string.IsNullOrEmpty(threadTs))
        {
            form.Add(new("thread_ts", threadTs));
        }

        await _slack.CallAsync("files.completeUploadExternal", form, idempotent: false, BotToken, channel, cancellationToken);
        return fileId!;
    }

    public async Task<IReadOnlyList<string>> UserGroupMembersAsync(string userGroupId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userGroupId);
        var r = await _slack.CallAsync("usergroups.users.list", [new("usergroup", userGroupId), new("include_disabled", "false")], idempotent: true, BotToken, paceChannel: null, cancellationToken);
        if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
        {
            throw new SlackApiException("usergroups.users.list", "invalid_response");
        }

        return [.. users.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.String).Select(u => u.GetString()!)];
    }

    public async Task<Uri> OpenSocketModeUrlAsync(CancellationToken cancellationToken)
    {
        var r = await _slack.CallAsync("apps.connections.open", [], idempotent: true, _options.CurrentValue.AppToken, null, cancellationToken);
        if (!Uri.TryCreate(r.StringAt("url"), UriKind.Absolute, out var url) || (url.Scheme != "wss" && url.Scheme != "ws"))
        {
            throw new SlackApiException("apps.connections.open", "invalid_response");
        }

        if (_options.CurrentValue.SocketModeDebugReconnects)
        {
            url = new Uri(url + (string.IsNullOrEmpty(url.Query) ? "?" : "&") + "debug_reconnects=true");
        }

        return url;
    }

    private string? BotToken => _options.CurrentValue.BotToken;

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

            var r = await _slack.CallAsync(method, form, idempotent: true, BotToken, null, cancellationToken);
            if (r.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in messages.EnumerateArray())
                {
                    if (match(m))
                    {
                        return m.StringAt("ts");
                    }
                }
            }

            cursor = r.StringAt("response_metadata", "next_cursor");
            if (string.IsNullOrEmpty(cursor))
            {
                return null;
            }
        }

        return null;
    }
}
