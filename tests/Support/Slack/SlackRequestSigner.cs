using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>
/// Builds requests exactly as Slack sends them: form-encoded slash commands, <c>payload=</c> JSON interactions,
/// JSON events; signed with <c>v0</c> HMAC-SHA256 over <c>v0:{ts}:{raw body}</c>. Written independently of the
/// production verifier; both are cross-checked against @slack/bolt.
/// </summary>
public sealed class SlackRequestSigner(string signingSecret, Func<DateTimeOffset>? clock = null)
{
    /// <summary>The workspace of every request built here; test hosts list it in <c>Slack:AllowedTeamIds</c>.</summary>
    public const string TeamId = "T1DC2JH3J";

    private int _sequence;

    public static string Sign(string secret, string timestamp, string body)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var hash = hmac.ComputeHash(Encoding.UTF8.GetBytes("v0:" + timestamp + ":" + body));
        return "v0=" + string.Concat(hash.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    public string Now() => (clock?.Invoke() ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>A form body in Slack's field order, values encoded like Slack's (%2F, %3A, + for space).</summary>
    public static string Form(params (string Key, string Value)[] fields) =>
        string.Join("&", fields.Select(f => f.Key + "=" + WebUtility.UrlEncode(f.Value)));

    public string SlashCommandBody(string text, string? triggerId = null, string user = "U2CERLKJA", string channel = "C0INCIDENT", string? responseUrl = null) =>
        Form(
            ("token", "xyzz0WbapA4vBCDEFasx0q6G"),
            ("team_id", "T1DC2JH3J"),
            ("team_domain", "testteamnow"),
            ("channel_id", channel),
            ("channel_name", "db-incidents"),
            ("user_id", user),
            ("user_name", "roadrunner"),
            ("command", "/dbincident"),
            ("text", text),
            ("api_app_id", "A0CERBERUS"),
            ("is_enterprise_install", "false"),
            ("response_url", responseUrl ?? "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"),
            ("trigger_id", triggerId ?? NewTriggerId()));

    public static JsonObject BlockActionPayload(string actionId, string value, string user = "U2CERLKJA", string? actionTs = null, string channel = "C0INCIDENT", string messageTs = "1700000000.000100") => new()
    {
        ["type"] = "block_actions",
        ["team"] = new JsonObject { ["id"] = "T1DC2JH3J", ["domain"] = "testteamnow" },
        ["user"] = new JsonObject { ["id"] = user, ["username"] = "roadrunner", ["name"] = "roadrunner", ["team_id"] = "T1DC2JH3J" },
        ["api_app_id"] = "A0CERBERUS",
        ["token"] = "xyzz0WbapA4vBCDEFasx0q6G",
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channel, ["is_ephemeral"] = false },
        ["trigger_id"] = "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "db-incidents" },
        ["message"] = new JsonObject { ["type"] = "message", ["ts"] = messageTs, ["text"] = "INC-2026-0001" },
        ["state"] = new JsonObject { ["values"] = new JsonObject() },
        ["response_url"] = "https://hooks.slack.com/actions/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
        ["actions"] = new JsonArray(new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = actionId,
            ["block_id"] = "approval",
            ["value"] = value,
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Approve", ["emoji"] = true },
            ["action_ts"] = actionTs ?? "1700000001.000" + (100 + Random.Shared.Next(800)).ToString(CultureInfo.InvariantCulture),
        }),
    };

    public static JsonObject EventCallback(string eventId) => new()
    {
        ["token"] = "xyzz0WbapA4vBCDEFasx0q6G",
        ["team_id"] = "T1DC2JH3J",
        ["api_app_id"] = "A0CERBERUS",
        ["type"] = "event_callback",
        ["event_id"] = eventId,
        ["event_time"] = 1_700_000_000,
        ["event"] = new JsonObject { ["type"] = "app_mention", ["user"] = "U2CERLKJA", ["text"] = "<@U0BOT> status", ["ts"] = "1700000000.000200", ["channel"] = "C0INCIDENT" },
    };

    public static string InteractionBody(JsonObject payload) => Form(("payload", payload.ToJsonString()));

    public string NewTriggerId() => $"398738663015.47445629121.{Interlocked.Increment(ref _sequence):x32}";

    /// <summary>A signed POST. <paramref name="timestamp"/> defaults to now; <paramref name="signature"/> overrides the computed one.</summary>
    public HttpRequestMessage SignedPost(string path, string body, string contentType = "application/x-www-form-urlencoded", string? timestamp = null, string? signature = null)
    {
        var ts = timestamp ?? Now();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("X-Slack-Request-Timestamp", ts);
        request.Headers.TryAddWithoutValidation("X-Slack-Signature", signature ?? Sign(signingSecret, ts, body));
        return request;
    }

    public HttpRequestMessage SlashCommand(string text, string? triggerId = null) => SignedPost("/slack/commands", SlashCommandBody(text, triggerId));

    public HttpRequestMessage BlockAction(JsonObject payload) => SignedPost("/slack/interactions", InteractionBody(payload));

    public HttpRequestMessage Event(JsonObject body) => SignedPost("/slack/events", body.ToJsonString(), "application/json");
}
