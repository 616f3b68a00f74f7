using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// <c>GET /console</c> (the page), <c>GET /console/api/messages?since=</c>, <c>POST /console/api/command</c>,
/// <c>POST /console/api/click</c>, <c>GET /console/api/files/{id}</c>: mapped only on the console's own 127.0.0.1 server
/// (<see cref="ConsoleServer"/>), each behind the loopback check and the access token (<see cref="ConsoleTokenFilter"/>).
/// The response_urls and upload URLs the console issues have no route: the in-process <see cref="LocalSlackHandler"/>
/// answers them inside the Slack client, so nothing outside the process can post to them.
/// </summary>
internal static class ConsoleEndpoints
{
    public static IEndpointRouteBuilder MapLocalConsole(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<LocalConsole>() is null)
        {
            return endpoints;
        }

        var group = endpoints.MapGroup(LocalConsole.Path)
            .AddEndpointFilter<LoopbackOnlyFilter>()
            .AddEndpointFilter<ConsoleTokenFilter>()
            .DisableAntiforgery();
        group.MapGet("", (HttpContext context) =>
        {
            // The first load carries the token in its URL: keep it out of caches and out of Referer headers.
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return Results.Content(ConsolePage.Html, "text/html; charset=utf-8");
        });
        group.MapGet("/app.js", () => Results.Content(ConsoleScript.Js, "text/javascript; charset=utf-8"));
        group.MapGet("/app.css", () => Results.Content(ConsoleStyles.Css, "text/css; charset=utf-8"));
        group.MapGet("/api/messages", (long? since, LocalSlack slack) =>
        {
            var seq = slack.Seq;
            var messages = slack.Since(since ?? 0).Select(m => (JsonNode)new JsonObject
            {
                ["seq"] = m.Seq,
                ["kind"] = m.Kind,
                ["channel"] = m.Channel,
                ["ts"] = m.Ts,
                ["threadTs"] = m.ThreadTs,
                ["text"] = m.Text,
                ["blocks"] = m.Blocks?.DeepClone(),
                ["files"] = m.Files?.DeepClone(),
                ["edited"] = m.Edited,
            });
            return Results.Content(new JsonObject
            {
                ["seq"] = seq,
                ["channel"] = LocalConsole.Channel,
                ["user"] = LocalConsole.UserId,
                ["messages"] = new JsonArray([.. messages]),
            }.ToJsonString(), "application/json");
        });
        group.MapPost("/api/command", async (ConsoleCommandRequest request, ConsoleInbound inbound, CancellationToken ct) =>
        {
            var text = (request.Text ?? string.Empty).Trim();
            if (text.StartsWith(ConsoleInbound.CommandName, StringComparison.OrdinalIgnoreCase))
            {
                text = text[ConsoleInbound.CommandName.Length..].Trim();
            }

            var status = await inbound.CommandAsync(Channel(request.Channel), text, ct);
            return Results.Json(new { status });
        });
        group.MapPost("/api/click", async (ConsoleClickRequest request, ConsoleInbound inbound, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(request.ActionId) || string.IsNullOrEmpty(request.MessageTs))
            {
                return Results.BadRequest();
            }

            var status = await inbound.ClickAsync(Channel(request.Channel), request.MessageTs, request.ActionId, request.BlockId, request.Value, ct);
            return Results.Json(new { status });
        });
        group.MapGet("/api/files/{id}", (string id, LocalSlack slack) =>
            slack.FileContent(id) is { } content
                ? Results.File(content, "text/markdown; charset=utf-8", slack.FileName(id))
                : Results.NotFound());
        return endpoints;
    }

    private static string Channel(string? channel) =>
        !string.IsNullOrWhiteSpace(channel) && channel.Length <= 20 && channel.All(char.IsAsciiLetterOrDigit) ? channel : LocalConsole.Channel;
}
