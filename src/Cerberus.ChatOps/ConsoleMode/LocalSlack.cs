using System.Globalization;
using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The in-process Slack of the local console: the Web API subset the outbox uses (chat.postMessage with thread_ts
/// and metadata, chat.update, chat.postEphemeral, conversations.history/replies with metadata, the external file
/// upload, auth.test) and the response_urls the console issues, kept in memory for the page.
/// </summary>
internal sealed class LocalSlack(TimeProvider time)
{
    private const int MaxMessages = 2000;

    private readonly Lock _gate = new();
    private readonly List<LocalSlackMessage> _messages = [];
    private readonly Dictionary<string, (string Channel, string? MessageTs, string? ThreadTs)> _responseUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Name, byte[]? Content)> _files = new(StringComparer.Ordinal);
    private long _seq;
    private long _lastTs;
    private int _ids;

    public long Seq
    {
        get
        {
            lock (_gate)
            {
                return _seq;
            }
        }
    }

    /// <summary>Messages added or changed after <paramref name="since"/>, oldest change first.</summary>
    public IReadOnlyList<LocalSlackMessage> Since(long since)
    {
        lock (_gate)
        {
            return [.. _messages.Where(m => m.Seq > since).OrderBy(m => m.Seq)];
        }
    }

    public byte[]? FileContent(string id)
    {
        lock (_gate)
        {
            return _files.TryGetValue(id, out var file) ? file.Content : null;
        }
    }

    public string? FileName(string id)
    {
        lock (_gate)
        {
            return _files.TryGetValue(id, out var file) ? file.Name : null;
        }
    }

    /// <summary>A response_url for one request from the page; posts to it land in <paramref name="channel"/>.</summary>
    public string IssueResponseUrl(string channel, string? messageTs)
    {
        lock (_gate)
        {
            var id = NextId("R");
            if (_responseUrls.Count >= MaxMessages)
            {
                // Slack's response_urls expire too (30 min); the oldest go first.
                _responseUrls.Remove(_responseUrls.Keys.Min(StringComparer.Ordinal)!);
            }

            var threadTs = messageTs is null ? null : _messages.FirstOrDefault(m => m.Ts == messageTs)?.ThreadTs;
            _responseUrls[id] = (channel, messageTs, threadTs);
            return LocalConsole.ResponsePrefix + id;
        }
    }

    /// <summary>Shows what the person typed (Slack shows it to them too, until the app answers).</summary>
    public void EchoCommand(string channel, string text)
    {
        lock (_gate)
        {
            Add("command", channel, null, text, null, null, null);
        }
    }

    public JsonObject Handle(string method, IReadOnlyDictionary<string, string> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string Field(string name) => form.TryGetValue(name, out var v) ? v : string.Empty;
        lock (_gate)
        {
            switch (method)
            {
                case "auth.test":
                    return Ok(new JsonObject { ["url"] = "http://localhost/console", ["team"] = "Local console", ["team_id"] = LocalConsole.TeamId, ["user"] = "cerberus", ["user_id"] = "U0BOT", ["bot_id"] = "B0BOT" });
                case "chat.postMessage":
                {
                    if (Field("channel").Length == 0)
                    {
                        return Error("channel_not_found");
                    }

                    if (Field("text").Length == 0 && Field("blocks").Length == 0)
                    {
                        return Error("no_text");
                    }

                    var thread = form.TryGetValue("thread_ts", out var t) && t.Length > 0 ? t : null;
                    var message = Add("message", Field("channel"), thread, Field("text"), Parse(Field("blocks")), Parse(Field("metadata")), null);
                    return Ok(new JsonObject { ["channel"] = message.Channel, ["ts"] = message.Ts, ["message"] = new JsonObject { ["text"] = message.Text, ["ts"] = message.Ts } });
                }

                case "chat.update":
                {
                    var index = _messages.FindIndex(m => m.Channel == Field("channel") && m.Ts == Field("ts") && m.Kind == "message");
                    if (index < 0)
                    {
                        return Error("message_not_found");
                    }

                    _messages[index] = _messages[index] with { Seq = ++_seq, Text = Field("text"), Blocks = Parse(Field("blocks")), Edited = true };
                    return Ok(new JsonObject { ["channel"] = Field("channel"), ["ts"] = Field("ts") });
                }

                case "chat.postEphemeral":
                {
                    if (Field("user").Length == 0)
                    {
                        return Error("user_not_in_channel");
                    }

                    var thread = form.TryGetValue("thread_ts", out var t) && t.Length > 0 ? t : null;
                    var message = Add("ephemeral", Field("channel"), thread, Field("text"), Parse(Field("blocks")), null, null);
                    return Ok(new JsonObject { ["message_ts"] = message.Ts });
                }

                case "conversations.history":
                case "conversations.replies":
                {
                    var replies = method == "conversations.replies";
                    var oldest = decimal.TryParse(Field("oldest"), NumberStyles.Number, CultureInfo.InvariantCulture, out var o) ? o : 0m;
                    var withMetadata = Field("include_all_metadata") == "true";
                    var list = _messages
                        .Where(m => m.Kind is "message" or "file" && m.Channel == Field("channel"))
                        .Where(m => replies ? m.ThreadTs == Field("ts") || m.Ts == Field("ts") : m.ThreadTs is null)
                        .Where(m => decimal.Parse(m.Ts, CultureInfo.InvariantCulture) >= oldest)
                        .OrderByDescending(m => m.Ts, StringComparer.Ordinal)
                        .Select(m =>
                        {
                            var node = new JsonObject { ["type"] = "message", ["ts"] = m.Ts, ["text"] = m.Text };
                            if (withMetadata && m.Metadata is not null)
                            {
                                node["metadata"] = m.Metadata.DeepClone();
                            }

                            if (m.Files is not null)
                            {
                                node["files"] = m.Files.DeepClone();
                            }

                            return (JsonNode)node;
                        });
                    return Ok(new JsonObject { ["messages"] = new JsonArray([.. list]), ["has_more"] = false });
                }

                case "files.getUploadURLExternal":
                {
                    var id = NextId("F");
                    _files[id] = (Field("filename"), null);
                    return Ok(new JsonObject { ["upload_url"] = LocalConsole.UploadPrefix + id, ["file_id"] = id });
                }

                case "files.completeUploadExternal":
                {
                    var shared = new JsonArray();
                    if (Parse(Field("files")) is not JsonArray files)
                    {
                        return Error("invalid_arguments");
                    }

                    foreach (var file in files)
                    {
                        var id = (string?)file?["id"] ?? string.Empty;
                        if (!_files.TryGetValue(id, out var stored) || stored.Content is null)
                        {
                            return Error("file_not_found");
                        }

                        shared.Add(new JsonObject { ["id"] = id, ["name"] = stored.Name, ["title"] = (string?)file?["title"] ?? stored.Name });
                    }

                    if (Field("channel_id").Length > 0)
                    {
                        var thread = form.TryGetValue("thread_ts", out var t) && t.Length > 0 ? t : null;
                        Add("file", Field("channel_id"), thread, Field("initial_comment"), null, null, shared.DeepClone());
                    }

                    return Ok(new JsonObject { ["files"] = shared });
                }

                default:
                    return Error("unknown_method");
            }
        }
    }

    public bool Upload(string id, byte[] content)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(id, out var file))
            {
                return false;
            }

            _files[id] = (file.Name, content);
            return true;
        }
    }

    /// <summary>A post to a response_url the console issued: ephemeral, in channel, or replacing the message that carried the button.</summary>
    public bool Respond(string id, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        lock (_gate)
        {
            if (!_responseUrls.TryGetValue(id, out var target))
            {
                return false;
            }

            var text = (string?)body["text"] ?? string.Empty;
            var blocks = body["blocks"]?.DeepClone();
            var replace = body["replace_original"] is JsonValue r && r.TryGetValue<bool>(out var b) && b;
            var index = target.MessageTs is null ? -1 : _messages.FindIndex(m => m.Ts == target.MessageTs);
            if (replace && index >= 0)
            {
                _messages[index] = _messages[index] with { Seq = ++_seq, Text = text, Blocks = blocks, Edited = true };
            }
            else
            {
                var kind = (string?)body["response_type"] == "in_channel" ? "message" : "ephemeral";
                Add(kind, target.Channel, target.ThreadTs ?? (index >= 0 ? _messages[index].ThreadTs : null), text, blocks, null, null);
            }

            return true;
        }
    }

    private LocalSlackMessage Add(string kind, string channel, string? threadTs, string text, JsonNode? blocks, JsonNode? metadata, JsonNode? files)
    {
        var message = new LocalSlackMessage(++_seq, kind, channel, NextTs(), threadTs, text, blocks, metadata, files, false);
        _messages.Add(message);
        if (_messages.Count > MaxMessages)
        {
            _messages.RemoveAt(0);
        }

        return message;
    }

    private string NextTs()
    {
        var micros = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds() * 1000, _lastTs + 1);
        _lastTs = micros;
        return (micros / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (micros % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private string NextId(string prefix) => prefix + (++_ids).ToString("D6", CultureInfo.InvariantCulture);

    private static JsonNode? Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static JsonObject Ok(JsonObject extra)
    {
        var o = new JsonObject { ["ok"] = true };
        foreach (var (k, v) in extra)
        {
            o[k] = v?.DeepClone();
        }

        return o;
    }

    private static JsonObject Error(string code) => new() { ["ok"] = false, ["error"] = code };
}
