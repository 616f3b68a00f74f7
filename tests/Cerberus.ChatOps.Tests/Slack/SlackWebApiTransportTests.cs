using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Tests.Patroni;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Slack;

/// <summary>One exchange with Slack at the HttpMessageHandler level (no resilience pipeline): what is sent, and how each answer is turned into a result or a SlackApiException.</summary>
public sealed class SlackWebApiTransportTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T03:00:00Z", CultureInfo.InvariantCulture));
    private readonly CollectingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly List<HttpClient> _clients = [];
    private SlackMethodGate _gate = null!;

    public SlackWebApiTransportTests() => _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _loggers.Dispose();
    }

    [Fact]
    public async Task CallAsync_Ok_PostsTheFormWithTheBearerTokenAndTellsThePipelineWhetherItMayRepeat()
    {
        // arrange
        HttpRequestMessage? sent = null;
        var handler = new ScriptedHandler((request, _) =>
        {
            sent = request;
            return Json("""{"ok":true,"channel":{"id":"C1"}}""");
        });
        var sut = CreateSut(handler);

        // act
        var result = await sut.CallAsync("conversations.create", [new("name", "inc-1"), new("is_private", "false")], idempotent: false, "xoxb-1", null, CancellationToken.None);

        // assert
        Assert.Equal("C1", result.StringAt("channel", "id"));
        var (method, path, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, method);
        Assert.Equal("/api/conversations.create", path);
        Assert.Equal("name=inc-1&is_private=false", body);
        Assert.Equal("Bearer xoxb-1", sent!.Headers.Authorization!.ToString());
        Assert.True(sent.Options.TryGetValue(SlackCall.Key, out var call));
        Assert.Equal(new SlackCall("conversations.create", Idempotent: false), call);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task CallAsync_NoToken_NotConfiguredAndNothingSent(string? token)
    {
        // arrange
        var handler = new ScriptedHandler((_, _) => Json("""{"ok":true}"""));
        var sut = CreateSut(handler);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.CallAsync("auth.test", [], idempotent: true, token, null, CancellationToken.None));

        // assert
        Assert.Equal("not_configured", ex.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task CallAsync_Http429_RateLimitedWithRetryAfterAndOnlyThatMethodHeldBack()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            response.Headers.TryAddWithoutValidation("Retry-After", "30");
            return response;
        }));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.CallAsync("chat.update", [], idempotent: true, "xoxb-1", null, CancellationToken.None));

        // assert
        Assert.Equal("ratelimited", ex.Error);
        Assert.Equal(429, ex.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), _gate.Remaining("chat.update"));
        Assert.Equal(TimeSpan.Zero, _gate.Remaining("chat.postMessage"));
    }

    [Fact]
    public async Task CallAsync_OkFalse_SlacksErrorCodeAndNothingHeldBack()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => Json("""{"ok":false,"error":"channel_not_found"}""")));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.CallAsync("chat.postMessage", [], idempotent: false, "xoxb-1", null, CancellationToken.None));

        // assert
        Assert.Equal("chat.postMessage", ex.Method);
        Assert.Equal("channel_not_found", ex.Error);
        Assert.Equal(200, ex.HttpStatus);
        Assert.Null(ex.RetryAfter);
        Assert.Equal(TimeSpan.Zero, _gate.Remaining("chat.postMessage"));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "http_503")]
    [InlineData(HttpStatusCode.Forbidden, "http_403")]
    public async Task CallAsync_HttpError_HttpStatusAsTheError(HttpStatusCode status, string error)
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => new HttpResponseMessage(status)));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.CallAsync("auth.test", [], idempotent: true, "xoxb-1", null, CancellationToken.None));

        // assert
        Assert.Equal(error, ex.Error);
        Assert.Equal((int)status, ex.HttpStatus);
    }

    [Fact]
    public async Task CallAsync_NotJson_InvalidResponse()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>") }));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.CallAsync("auth.test", [], idempotent: true, "xoxb-1", null, CancellationToken.None));

        // assert
        Assert.Equal("invalid_response", ex.Error);
    }

    [Fact]
    public async Task CallAsync_NetworkFailure_NetworkErrorThatMayHaveSucceeded()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => throw new HttpRequestException("connection reset")));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.CallAsync("chat.postMessage", [], idempotent: false, "xoxb-1", null, CancellationToken.None));

        // assert
        Assert.Equal("network_error", ex.Error);
        Assert.True(ex.MayHaveSucceeded);
    }

    [Fact]
    public async Task CallAsync_Warning_LoggedAndTheResultReturned()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => Json("""{"ok":true,"ts":"1.2","warning":"missing_charset"}""")));

        // act
        var result = await sut.CallAsync("chat.postMessage", [], idempotent: false, "xoxb-1", null, CancellationToken.None);

        // assert
        Assert.Equal("1.2", result.StringAt("ts"));
        Assert.Contains(_logs.Lines, l => l.Contains("chat.postMessage: warning missing_charset", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://evil.example/commands/T1/1/x")]
    [InlineData("http://hooks.slack.com/commands/T1/1/x")]
    [InlineData("not a url")]
    public async Task PostJsonAsync_UrlOutsideSlacksHosts_RefusedBeforeAnythingIsSent(string url)
    {
        // arrange
        var handler = new ScriptedHandler((_, _) => Json("""{"ok":true}"""));
        var sut = CreateSut(handler);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.PostJsonAsync("response_url", url, new JsonObject { ["text"] = "hi" }, idempotent: false, CancellationToken.None));

        // assert
        Assert.Equal("url_not_allowed", ex.Error);
        Assert.Empty(handler.Requests);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostJsonAsync_BareOkOrJsonOk_Succeeds()
    {
        // arrange
        var answers = new Queue<HttpResponseMessage>([new(HttpStatusCode.OK) { Content = new StringContent("ok") }, Json("""{"ok":true}""")]);
        var handler = new ScriptedHandler((_, _) => answers.Dequeue());
        var sut = CreateSut(handler);

        // act
        await sut.PostJsonAsync("response_url", "https://hooks.slack.com/commands/T1/1/x", new JsonObject { ["text"] = "hi" }, idempotent: true, CancellationToken.None);
        await sut.PostJsonAsync("response_url", "https://hooks.slack.com/commands/T1/1/x", new JsonObject { ["text"] = "hi" }, idempotent: true, CancellationToken.None);

        // assert
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal("""{"text":"hi"}""", r.Body));
    }

    [Fact]
    public async Task PostJsonAsync_JsonOkFalse_SlacksErrorCode()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => Json("""{"ok":false,"error":"expired_url"}""")));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.PostJsonAsync("response_url", "https://hooks.slack.com/commands/T1/1/x", new JsonObject { ["text"] = "hi" }, idempotent: false, CancellationToken.None));

        // assert
        Assert.Equal("response_url", ex.Method);
        Assert.Equal("expired_url", ex.Error);
    }

    [Fact]
    public async Task UploadBytesAsync_NoUrl_RefusedAsTheTicketsMethod()
    {
        // arrange
        var handler = new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.OK));
        var sut = CreateSut(handler);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.UploadBytesAsync("upload", "files.getUploadURLExternal", null, [1, 2, 3], "xoxb-1", CancellationToken.None));

        // assert
        Assert.Equal("files.getUploadURLExternal", ex.Method);
        Assert.Equal("url_not_allowed", ex.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task UploadBytesAsync_Not200_HttpStatusAsTheError()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.Created)));

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => sut.UploadBytesAsync("upload", "files.getUploadURLExternal", "https://files.slack.com/upload/v1/abc", Encoding.UTF8.GetBytes("# report"), "xoxb-1", CancellationToken.None));

        // assert
        Assert.Equal("upload", ex.Method);
        Assert.Equal("http_201", ex.Error);
    }

    private static HttpResponseMessage Json(string json) => new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private SlackWebApiTransport CreateSut(HttpMessageHandler handler)
    {
        var options = new StaticOptionsMonitor<SlackOptions>(new SlackOptions());
        var http = new HttpClient(handler) { BaseAddress = new Uri("https://slack.com/api/") };
        _clients.Add(http);
        _gate = new SlackMethodGate(_time);
        return new SlackWebApiTransport(http, options, new SlackChannelPacer(options, _time), _gate, _time, _loggers.CreateLogger<SlackApiClient>());
    }
}
