using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// Turns Slack's payloads (already verified) into the contract records and their dedupe keys; the same code
/// serves HTTP and Socket Mode, whose payloads are identical (docs/slack.md).
/// Keys: <c>cmd:&lt;trigger_id&gt;</c>, <c>ia:&lt;user&gt;:&lt;action_ts&gt;</c>, <c>view:&lt;view id&gt;:&lt;hash&gt;</c>, <c>ev:&lt;event_id&gt;</c>.
/// </summary>
internal static class SlackPayloadParser
{
    public static bool TryParseCommand(IReadOnlyDictionary<string, string> fields, [NotNullWhen(true)] out SlashCommand? command, [NotNullWhen(true)] out string? key)
    {
        ArgumentNullException.ThrowIfNull(fields);
        command = null;
        key = null;
        string? Get(string name) => fields.TryGetValue(name, out var value) ? value : null;

        var teamId = Get("team_id");
        var channelId = Get("channel_id");
        var userId = Get("user_id");
        var name = Get("command");
        var triggerId = Get("trigger_id");
        var responseUrl = Get("response_url");
        if (string.IsNullOrEmpty(teamId) || string.IsNullOrEmpty(channelId) || string.IsNullOrEmpty(userId)
            || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(triggerId) || string.IsNullOrEmpty(responseUrl))
        {
            return false;
        }

        command = new SlashCommand(
            teamId,
            channelId,
            Get("channel_name") ?? string.Empty,
            userId,
            Get("user_name") ?? string.Empty,
            name,
            Get("text") ?? string.Empty,
            responseUrl,
            triggerId,
            Get("api_app_id"));
        key = "cmd:" + triggerId;
        return true;
    }

    /// <summary>Where a slash command comes from (<c>api_app_id</c>, <c>team_id</c>, <c>enterprise_id</c>); Slack sends no user team for commands.</summary>
    public static SlackOrigin OriginOfCommand(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        string? Get(string name) => fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        return new SlackOrigin(Get("api_app_id"), Get("team_id"), Get("enterprise_id"));
    }

    /// <summary>
    /// Where an interaction comes from: the workspace <c>team.id</c>, the org <c>enterprise.id</c> (or
    /// <c>team.enterprise_id</c>), and the acting user's home <c>user.team_id</c>.
    /// </summary>
    public static SlackOrigin OriginOfInteraction(JsonElement payload) => new(
        payload.StringAt("api_app_id"),
        payload.StringAt("team", "id"),
        payload.StringAt("enterprise", "id") ?? payload.StringAt("team", "enterprise_id"),
        payload.StringAt("user", "team_id"));

    /// <summary>Where an Events API body comes from: its top-level <c>api_app_id</c>, <c>team_id</c> and <c>enterprise_id</c>.</summary>
    public static SlackOrigin OriginOfEvent(JsonElement body) => new(
        body.StringAt("api_app_id"),
        body.StringAt("team_id") ?? body.StringAt("context_team_id"),
        body.StringAt("enterprise_id") ?? body.StringAt("context_enterprise_id"));

    /// <summary>The fields of a Socket Mode slash_commands payload (a JSON object of strings) as a form would give them.</summary>
    public static IReadOnlyDictionary<string, string> FieldsOf(JsonElement payload)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return fields;
        }

        foreach (var property in payload.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return fields;
    }

    public static bool TryParseInteraction(JsonElement payload, [NotNullWhen(true)] out InteractionPayload? interaction, [NotNullWhen(true)] out string? key)
    {
        interaction = null;
        key = null;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var type = payload.StringAt("type");
        var userId = payload.StringAt("user", "id");
        if (string.IsNullOrEmpty(type) || string.IsNullOrEmpty(userId))
        {
            return false;
        }

        var actions = new List<BlockAction>();
        if (payload.TryGetProperty("actions", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var action in list.EnumerateArray())
            {
                var actionId = action.StringAt("action_id");
                var actionTs = action.StringAt("action_ts");
                if (string.IsNullOrEmpty(actionId) || string.IsNullOrEmpty(actionTs))
                {
                    return false;
                }

                actions.Add(new BlockAction(actionId, action.StringAt("block_id"), action.StringAt("value") ?? action.StringAt("selected_option", "value"), actionTs));
            }
        }

        if (type is "view_submission" or "view_closed")
        {
            // The bot opens no modals, but such a payload is still Slack's to send: keyed, stored and acknowledged
            // with an empty 200 (which closes the view), then dispatched as an interaction without actions.
            var viewId = payload.StringAt("view", "id");
            if (string.IsNullOrEmpty(viewId))
            {
                return false;
            }

            key = $"view:{viewId}:{payload.StringAt("view", "hash") ?? type}";
        }
        else if (actions.Count > 0)
        {
            key = $"ia:{userId}:{actions[0].ActionTs}";
        }
        else if (payload.StringAt("action_ts") is { Length: > 0 } actionTs)
        {
            key = $"ia:{userId}:{actionTs}";
        }
        else if (payload.StringAt("trigger_id") is { Length: > 0 } triggerId)
        {
            key = $"ia:{userId}:{triggerId}";
        }
        else
        {
            return false;
        }

        interaction = new InteractionPayload(
            type,
            payload.StringAt("team", "id") ?? payload.StringAt("user", "team_id") ?? string.Empty,
            userId,
            payload.StringAt("user", "username") ?? payload.StringAt("user", "name"),
            payload.StringAt("channel", "id") ?? payload.StringAt("container", "channel_id"),
            payload.StringAt("message", "ts") ?? payload.StringAt("container", "message_ts"),
            payload.StringAt("response_url"),
            payload.StringAt("trigger_id"),
            actions);
        return true;
    }

    /// <summary>An Events API body: <c>event_callback</c> gives its key; other types (app_rate_limited...) are valid but carry nothing for us.</summary>
    public static bool TryParseEventKey(JsonElement body, out string? key)
    {
        key = null;
        if (body.ValueKind != JsonValueKind.Object || body.StringAt("type") is not { Length: > 0 } type)
        {
            return false;
        }

        if (type != "event_callback")
        {
            return true;
        }

        var eventId = body.StringAt("event_id");
        if (string.IsNullOrEmpty(eventId) || !body.TryGetProperty("event", out var evt) || evt.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        key = "ev:" + eventId;
        return true;
    }
}
