using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The Slack client's transport in console mode: requests to <see cref="LocalConsole.LocalBase"/> are answered by
/// <see cref="LocalSlack"/> in process (the same client code, resilience and SSRF guard run as against Slack);
/// anything else is refused.
/// </summary>
internal sealed class LocalSlackHandler(LocalSlack slack) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.RequestUri?.AbsoluteUri ?? string.Empty;
        if (request.Method != HttpMethod.Post || !url.StartsWith(LocalConsole.LocalBase, StringComparison.Ordinal))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        if (url.StartsWith(LocalConsole.ApiBase, StringComparison.Ordinal))
        {
            var method = url[LocalConsole.ApiBase.Length..];
            if (request.Headers.Authorization?.Parameter != LocalConsole.LocalBotToken)
            {
                return Json(new JsonObject { ["ok"] = false, ["error"] = "not_authed" });
            }

            var form = new FormReader(Encoding.UTF8.GetString(body)).ReadForm()
                .ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
            return Json(slack.Handle(method, form));
        }

        if (url.StartsWith(LocalConsole.UploadPrefix, StringComparison.Ordinal))
        {
            return slack.Upload(url[LocalConsole.UploadPrefix.Length..], body)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("OK - " + body.Length) }
                : new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        if (url.StartsWith(LocalConsole.ResponsePrefix, StringComparison.Ordinal)
            && JsonNode.Parse(body.Length == 0 ? "{}"u8 : body) is JsonObject payload)
        {
            return slack.Respond(url[LocalConsole.ResponsePrefix.Length..], payload)
                ? Json(new JsonObject { ["ok"] = true })
                : new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static HttpResponseMessage Json(JsonObject body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}
