using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.Tests.Slack;

[Collection(SlackHostCollection.Name)]
public sealed class SlackEndpointsTests : IAsyncLifetime
{
    private readonly SlackAppFactory _app = SlackAppFactory.WithSecret(maxBodyBytes: 8192);
    private readonly SlackRequestSigner _slack = new(SlackAppFactory.Secret);
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = _app.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Commands_SignedSlashCommand_AcksEmpty200AndStoresTheCommand()
    {
        // arrange
        var request = _slack.SlashCommand("start replica lag on db-2", triggerId: "111.222.abc");

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        var item = Assert.Single(_app.Inbox.Items);
        Assert.Equal("cmd:111.222.abc", item.Key);
        Assert.Equal(InboundKinds.Command, item.Kind);
        var command = JsonSerializer.Deserialize<SlashCommand>(item.Payload)!;
        Assert.Equal("start replica lag on db-2", command.Text);
        Assert.Equal("C0INCIDENT", command.ChannelId);
    }

    [Fact]
    public async Task Commands_SameCommandSentTwice_StoredOnce()
    {
        // arrange
        var body = _slack.SlashCommandBody("status", triggerId: "333.444.def");

        // act
        var first = await _client.SendAsync(_slack.SignedPost("/slack/commands", body));
        var second = await _client.SendAsync(_slack.SignedPost("/slack/commands", body));

        // assert
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(_app.Inbox.Items);
    }

    [Fact]
    public async Task Interactions_SignedBlockAction_StoredOnceEvenWhenClickedTwice()
    {
        // arrange
        var payload = SlackRequestSigner.BlockActionPayload("approve", "INC-2026-0001:a1", actionTs: "1700000001.000555");

        // act
        var first = await _client.SendAsync(_slack.BlockAction(payload));
        var second = await _client.SendAsync(_slack.BlockAction(payload));

        // assert
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var item = Assert.Single(_app.Inbox.Items);
        Assert.Equal("ia:U2CERLKJA:1700000001.000555", item.Key);
        var interaction = JsonSerializer.Deserialize<InteractionPayload>(item.Payload)!;
        Assert.Equal("approve", interaction.Actions[0].ActionId);
    }

    [Fact]
    public async Task Interactions_SignedViewSubmission_AcksEmpty200AndStoresItOnce()
    {
        // arrange: the bot opens no modals, but a view_submission is still acknowledged the way Slack expects
        var payload = new JsonObject
        {
            ["type"] = "view_submission",
            ["team"] = new JsonObject { ["id"] = "T1DC2JH3J" },
            ["user"] = new JsonObject { ["id"] = "U2CERLKJA", ["team_id"] = "T1DC2JH3J" },
            ["api_app_id"] = "A0CERBERUS",
            ["view"] = new JsonObject { ["id"] = "V0MODAL", ["hash"] = "1700000002.abc", ["type"] = "modal" },
        };

        // act
        var first = await _client.SendAsync(_slack.BlockAction(payload));
        var second = await _client.SendAsync(_slack.BlockAction(payload));

        // assert
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(string.Empty, await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var item = Assert.Single(_app.Inbox.Items);
        Assert.Equal("view:V0MODAL:1700000002.abc", item.Key);
        Assert.Empty(JsonSerializer.Deserialize<InteractionPayload>(item.Payload)!.Actions);
    }

    [Fact]
    public async Task Events_UrlVerification_EchoesTheChallenge()
    {
        // arrange
        var body = new JsonObject { ["token"] = "x", ["challenge"] = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", ["type"] = "url_verification" };

        // act
        var response = await _client.SendAsync(_slack.Event(body));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}", await response.Content.ReadAsStringAsync());
        Assert.Empty(_app.Inbox.Items);
    }

    [Fact]
    public async Task Events_RetriedEvent_StoredOnce()
    {
        // arrange
        var body = SlackRequestSigner.EventCallback("Ev0PV52K21");

        // act
        var first = await _client.SendAsync(_slack.Event(body));
        var retry = _slack.Event(body);
        retry.Headers.Add("X-Slack-Retry-Num", "1");
        retry.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        var second = await _client.SendAsync(retry);

        // assert
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var item = Assert.Single(_app.Inbox.Items);
        Assert.Equal("ev:Ev0PV52K21", item.Key);
        Assert.Equal("app_mention", JsonNode.Parse(item.Payload)!["event"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/slack/commands")]
    [InlineData("/slack/interactions")]
    [InlineData("/slack/events")]
    public async Task AnyRoute_SslCheck_200WithoutSignature(string path)
    {
        // arrange
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("ssl_check=1&token=xyzz0WbapA4vBCDEFasx0q6G", Encoding.UTF8, "application/x-www-form-urlencoded") };

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(_app.Inbox.Items);
    }

    public static TheoryData<string, string> Forgeries()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "unsigned", "bad-signature", "stale", "future", "tampered", "wrong-secret", "no-timestamp", "junk-timestamp", "v1" })
        {
            data.Add("/slack/commands", kind);
            data.Add("/slack/interactions", kind);
            data.Add("/slack/events", kind);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task AnyRoute_ForgedStaleOrTampered_401AndNothingStored(string path, string kind)
    {
        // arrange
        var request = Forge(path, kind);

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(_app.Inbox.Items);
    }

    public static TheoryData<string, string, string> Junk() => new()
    {
        { "/slack/commands", "application/x-www-form-urlencoded", "team_id=T1&user_id=U1" },
        { "/slack/commands", "application/x-www-form-urlencoded", "%%%=%%%&&&" },
        { "/slack/commands", "application/x-www-form-urlencoded", "trigger_id=1&trigger_id=2&team_id=T&channel_id=C&user_id=U&command=/x&response_url=https://hooks.slack.com/x" },
        { "/slack/interactions", "application/x-www-form-urlencoded", "payload=%7Bnot-json" },
        { "/slack/interactions", "application/x-www-form-urlencoded", "payload=%7B%7D" },
        { "/slack/interactions", "application/x-www-form-urlencoded", "nopayload=1" },
        { "/slack/interactions", "application/x-www-form-urlencoded", "payload=%5B1%2C2%5D" },
        { "/slack/events", "application/json", "{not json" },
        { "/slack/events", "application/json", "[]" },
        { "/slack/events", "application/json", "{\"type\":\"event_callback\"}" },
        { "/slack/events", "application/json", "{\"type\":\"url_verification\"}" },
        { "/slack/events", "application/json", new string('[', 5000) },
    };

    [Theory]
    [MemberData(nameof(Junk))]
    public async Task AnyRoute_SignedJunk_400AndNothingStored(string path, string contentType, string body)
    {
        // arrange
        var request = _slack.SignedPost(path, body, contentType);

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_app.Inbox.Items);
    }

    [Theory]
    [InlineData("/slack/commands", true)]
    [InlineData("/slack/interactions", true)]
    [InlineData("/slack/events", true)]
    [InlineData("/slack/commands", false)]
    [InlineData("/slack/events", false)]
    public async Task AnyRoute_Oversized_413WithoutReadingAndNothingStored(string path, bool declaredLength)
    {
        // arrange
        var body = "text=" + new string('a', 20_000);
        var type = path.EndsWith("events", StringComparison.Ordinal) ? "application/json" : "application/x-www-form-urlencoded";
        var request = _slack.SignedPost(path, body, type);
        if (!declaredLength)
        {
            // Chunked: the cap has to hold while reading, not only on Content-Length.
            request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
            request.Content.Headers.ContentType = new(type);
            request.Headers.TransferEncodingChunked = true;
        }

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_app.Inbox.Items);
    }

    [Theory]
    [InlineData("/slack/commands", "application/json")]
    [InlineData("/slack/commands", "text/plain")]
    [InlineData("/slack/interactions", "application/json")]
    [InlineData("/slack/events", "text/plain")]
    [InlineData("/slack/events", "application/x-www-form-urlencoded")]
    public async Task AnyRoute_WrongContentType_415(string path, string contentType)
    {
        // arrange
        var request = _slack.SignedPost(path, "{\"type\":\"event_callback\"}", contentType);

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(_app.Inbox.Items);
    }

    [Theory]
    [InlineData("/slack/commands")]
    [InlineData("/slack/interactions")]
    [InlineData("/slack/events")]
    public async Task AnyRoute_Get_405(string path)
    {
        // act
        var response = await _client.GetAsync(path);

        // assert
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Commands_InboxStoreDown_EphemeralApologyNot5xx()
    {
        // arrange
        _app.Inbox.Failure = new InvalidOperationException("database is locked");

        // act
        var response = await _client.SendAsync(_slack.SlashCommand("start"));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", body["response_type"]!.GetValue<string>());
        Assert.Contains("try again", body["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/slack/events")]
    [InlineData("/slack/interactions")]
    public async Task EventsAndInteractions_InboxStoreDown_503SoSlackRetriesNever500(string path)
    {
        // arrange
        _app.Inbox.Failure = new InvalidOperationException("database is locked");
        var request = path == "/slack/events"
            ? _slack.Event(SlackRequestSigner.EventCallback("Ev0DOWN"))
            : _slack.BlockAction(SlackRequestSigner.BlockActionPayload("approve", "a1"));

        // act
        var response = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Commands_ManyConcurrentSignedRequests_AckedFastAndEachStoredOnce()
    {
        // arrange
        const int Count = 200;
        await _client.SendAsync(_slack.SlashCommand("warm-up"));
        var requests = Enumerable.Range(0, Count).Select(i => _slack.SlashCommand("status", triggerId: $"load.{i}")).ToList();

        // act
        var timings = await Task.WhenAll(requests.Select(async r =>
        {
            var watch = Stopwatch.StartNew();
            using var response = await _client.SendAsync(r);
            return (response.StatusCode, watch.Elapsed.TotalMilliseconds);
        }));

        // assert
        Assert.All(timings, t => Assert.Equal(HttpStatusCode.OK, t.StatusCode));
        var sorted = timings.Select(t => t.TotalMilliseconds).Order().ToArray();
        var p99 = sorted[(int)Math.Ceiling(Count * 0.99) - 1];
        Assert.True(p99 < 500, string.Create(CultureInfo.InvariantCulture, $"p99 ack time {p99:0} ms (Slack allows 3000 ms)"));
        Assert.Equal(Count + 1, _app.Inbox.Items.Count);
    }

    private HttpRequestMessage Forge(string path, string kind)
    {
        var body = path switch
        {
            "/slack/commands" => _slack.SlashCommandBody("resolve"),
            "/slack/interactions" => SlackRequestSigner.InteractionBody(SlackRequestSigner.BlockActionPayload("approve", "a1")),
            _ => SlackRequestSigner.EventCallback("Ev" + Guid.NewGuid().ToString("N")).ToJsonString(),
        };
        var type = path == "/slack/events" ? "application/json" : "application/x-www-form-urlencoded";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Ts(long offset) => (now + offset).ToString(CultureInfo.InvariantCulture);
        switch (kind)
        {
            case "unsigned":
                var unsigned = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, type) };
                return unsigned;
            case "bad-signature":
                return _slack.SignedPost(path, body, type, signature: "v0=" + new string('0', 64));
            case "stale":
                return _slack.SignedPost(path, body, type, timestamp: Ts(-360));
            case "future":
                return _slack.SignedPost(path, body, type, timestamp: Ts(+360));
            case "tampered":
                var signed = _slack.SignedPost(path, body, type);
                signed.Content = new StringContent(body.Replace("U2CERLKJA", "U0ATTACKR", StringComparison.Ordinal), Encoding.UTF8, type);
                signed.Content.Headers.ContentType = new(type);
                return signed;
            case "wrong-secret":
                return new SlackRequestSigner("not-the-secret").SignedPost(path, body, type);
            case "no-timestamp":
                var noTs = _slack.SignedPost(path, body, type);
                noTs.Headers.Remove("X-Slack-Request-Timestamp");
                return noTs;
            case "junk-timestamp":
                return _slack.SignedPost(path, body, type, timestamp: Ts(0) + ".5");
            case "v1":
                var v1 = SlackRequestSigner.Sign(SlackAppFactory.Secret, Ts(0), body).Replace("v0=", "v1=", StringComparison.Ordinal);
                return _slack.SignedPost(path, body, type, timestamp: Ts(0), signature: v1);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
