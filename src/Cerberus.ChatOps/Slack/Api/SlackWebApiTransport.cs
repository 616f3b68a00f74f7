using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Hosting.Metrics;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// One HTTP exchange with Slack, for <see cref="SlackApiClient"/>: a Web API method (form-encoded, nested values
/// JSON-encoded as Slack's Node SDK sends them, the token in the Authorization header, paced per channel when asked,
/// held back while the method is rate limited), a JSON post to a response_url, or the bytes of a file upload. The
/// resilience pipeline (<see cref="SlackResilience"/>) sits below in the handler chain and reads <see cref="SlackCall"/>.
/// Every failure becomes a <see cref="SlackApiException"/> with Slack's code; a 429 blocks the method in
/// <see cref="SlackMethodGate"/>; each Web API call is counted in the metrics. Logs method, status and error code,
/// never a token or a URL.
/// </summary>
internal sealed partial class SlackWebApiTransport(
    HttpClient http,
    IOptionsMonitor<SlackOptions> options,
    SlackChannelPacer pacer,
    SlackMethodGate gate,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Calls the Web API <paramref name="method"/> and returns Slack's answer, which said <c>ok</c>.</summary>
    public async Task<JsonElement> CallAsync(
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

    /// <summary>
    /// POSTs <paramref name="body"/> to a response_url (Slack's hosts only): Slack answers a bare <c>ok</c> or a JSON
    /// result, whose <c>ok:false</c> is an error.
    /// </summary>
    public async Task PostJsonAsync(string method, string url, JsonObject body, bool idempotent, CancellationToken cancellationToken)
    {
        EnsureAllowed(method, method, url);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Options.Set(SlackCall.Key, new SlackCall(method, idempotent));
        using var response = await SendAsync(method, request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.TrimStart().StartsWith('{'))
        {
            EnsureOk(method, Parse(method, text), response);
        }

        Log.Called(logger, method, (int)response.StatusCode);
    }

    /// <summary>
    /// POSTs a file's bytes to the upload URL that <paramref name="ticketMethod"/> handed out (Slack's hosts only), with
    /// the bot token; anything but 200 is an error.
    /// </summary>
    public async Task UploadBytesAsync(string method, string ticketMethod, string? url, byte[] bytes, string? token, CancellationToken cancellationToken)
    {
        EnsureAllowed(method, ticketMethod, url);
        using var upload = new HttpRequestMessage(HttpMethod.Post, new Uri(url!)) { Content = new ByteArrayContent(bytes) };
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Uploading the same bytes to the same file id again is harmless.
        upload.Options.Set(SlackCall.Key, new SlackCall(method, Idempotent: true));
        using var response = await SendAsync(method, upload, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new SlackApiException(method, $"http_{(int)response.StatusCode}", (int)response.StatusCode);
        }
    }

    /// <summary>A URL outside Slack's hosts is refused before anything is sent, as <paramref name="reportedAs"/>'s error.</summary>
    private void EnsureAllowed(string method, string reportedAs, string? url)
    {
        if (!SlackUrlGuard.IsAllowed(url, options.CurrentValue.TestAllowedUrlBase))
        {
            Log.UrlRefused(logger, method);
            throw new SlackApiException(reportedAs, "url_not_allowed");
        }
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
            var error = result.StringAt("error") ?? "unknown_error";
            Log.CallFailed(logger, method, (int)response.StatusCode, error);
            TimeSpan? retryAfter = error == "ratelimited" ? SlackResilience.RetryAfterOf(response, time) : null;
            if (retryAfter is { } wait)
            {
                gate.Block(method, wait);
            }

            throw new SlackApiException(method, error, (int)response.StatusCode, retryAfter);
        }

        if (result.ValueKind == JsonValueKind.Object && result.StringAt("warning") is { } warning)
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
