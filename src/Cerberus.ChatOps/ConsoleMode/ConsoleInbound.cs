using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Http;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// What the page sends, turned into the exact bodies Slack would send (a slash command form; a block_actions
/// <c>payload=</c>), signed with the in-memory local secret and handed as raw bytes to the same
/// <see cref="SlackHttpInbound"/> handler as <c>/slack/commands</c> and <c>/slack/interactions</c>: the signature is
/// verified there like any other request.
/// </summary>
internal sealed class ConsoleInbound(LocalConsole console, LocalSlack slack, IServiceScopeFactory scopes, TimeProvider time)
{
    public const string CommandName = "/dbincident";

    public async Task<int> CommandAsync(string channel, string text, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["token"] = "local",
            ["team_id"] = LocalConsole.TeamId,
            ["team_domain"] = "local",
            ["channel_id"] = channel,
            ["channel_name"] = LocalConsole.ChannelName,
            ["user_id"] = LocalConsole.UserId,
            ["user_name"] = LocalConsole.UserName,
            ["command"] = CommandName,
            ["text"] = text,
            ["api_app_id"] = LocalConsole.AppId,
            ["is_enterprise_install"] = "false",
            ["response_url"] = slack.IssueResponseUrl(channel, null),
            ["trigger_id"] = TriggerId(),
        };
        slack.EchoCommand(channel, $"{CommandName} {text}");
        return await SubmitAsync(Form(fields), (inbound, context) => inbound.CommandsAsync(context), cancellationToken);
    }

    public async Task<int> ClickAsync(string channel, string messageTs, string actionId, string? blockId, string? value, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var actionTs = (now.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000000", CultureInfo.InvariantCulture);
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = LocalConsole.UserId, ["username"] = LocalConsole.UserName, ["name"] = LocalConsole.UserName, ["team_id"] = LocalConsole.TeamId },
            ["api_app_id"] = LocalConsole.AppId,
            ["token"] = "local",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channel, ["is_ephemeral"] = false },
            ["trigger_id"] = TriggerId(),
            ["team"] = new JsonObject { ["id"] = LocalConsole.TeamId, ["domain"] = "local" },
            ["channel"] = new JsonObject { ["id"] = channel, ["name"] = LocalConsole.ChannelName },
            ["message"] = new JsonObject { ["type"] = "message", ["ts"] = messageTs },
            ["response_url"] = slack.IssueResponseUrl(channel, messageTs),
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId,
                ["block_id"] = blockId ?? string.Empty,
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = actionId },
                ["value"] = value ?? string.Empty,
                ["type"] = "button",
                ["action_ts"] = actionTs,
            }),
        };
        var body = Form(new Dictionary<string, string>(StringComparer.Ordinal) { ["payload"] = payload.ToJsonString() });
        return await SubmitAsync(body, (inbound, context) => inbound.InteractionsAsync(context), cancellationToken);
    }

    private async Task<int> SubmitAsync(byte[] body, Func<SlackHttpInbound, HttpContext, Task<IResult>> route, CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = cancellationToken };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Request.Headers[SlackRequestVerifier.TimestampHeader] = timestamp;
        context.Request.Headers[SlackRequestVerifier.SignatureHeader] = SlackRequestVerifier.Sign(console.SigningSecret, timestamp, body);
        var result = await route(scope.ServiceProvider.GetRequiredService<SlackHttpInbound>(), context);
        return result is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK;
    }

    private static byte[] Form(IReadOnlyDictionary<string, string> fields) =>
        Encoding.UTF8.GetBytes(string.Join('&', fields.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value))));

    private static string TriggerId() => "local." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
