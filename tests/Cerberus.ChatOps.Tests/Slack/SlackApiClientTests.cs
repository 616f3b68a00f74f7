using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.BlockKit;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackApiClientTests : IAsyncLifetime
{
    /// <summary>How far the client's clock moves at a time while a call waits on it.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private FakeSlackServer _slack = null!;
    private SlackServices _services = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        _services = new SlackServices(SlackServices.Fast(_slack));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task PostMessageAsync_WithOutboxId_PostsFormWithBlocksMetadataAndBearerToken()
    {
        // arrange
        var message = new MessageBuilder().Add(Blocks.Header("INC-2026-0001")).Build("INC-2026-0001 declared");

        // act
        var result = await CreateSut().PostMessageAsync("C1", message, threadTs: null, outboxId: "ob-1", CancellationToken.None);

        // assert
        var call = Assert.Single(_slack.CallsTo("chat.postMessage"));
        Assert.Equal("Bearer xoxb-test-0000-SECRET", call.Authorization);
        Assert.Equal("C1", call.Form["channel"]);
        Assert.Equal("INC-2026-0001 declared", call.Form["text"]);
        Assert.Equal("header", JsonNode.Parse(call.Form["blocks"])![0]!["type"]!.GetValue<string>());
        var metadata = JsonNode.Parse(call.Form["metadata"])!;
        Assert.Equal("cerberus_outbox", metadata["event_type"]!.GetValue<string>());
        Assert.Equal("ob-1", metadata["event_payload"]!["outbox_id"]!.GetValue<string>());
        Assert.Equal(Assert.Single(_slack.Messages).Ts, result.Ts);
    }

    [Fact]
    public async Task PostMessageAsync_429WithRetryAfter_WaitsRetryAfterThenPostsOnce()
    {
        // arrange
        _slack.FailNext("chat.postMessage", 1, 429, retryAfterSeconds: 1);
        var time = new FakeTimeProvider(Some.T0);
        await using var services = new SlackServices(SlackServices.Fast(_slack), time);

        // act: the client's clock moves on in small steps from the 429 until the post is done
        var posting = services.Get<ISlackApi>().PostMessageAsync("C1", Text("hi"), null, "ob-2", CancellationToken.None);
        await Eventually.Async(() => _slack.CallsTo("chat.postMessage").Count, calls => calls > 0, FakeClock.RealTimeLimit, "the post never reached Slack");
        var limited = time.GetTimestamp();
        await time.AdvanceUntilDoneAsync(posting, Step, TimeSpan.FromMinutes(1));

        // assert
        Assert.True(time.GetElapsedTime(limited) >= TimeSpan.FromMilliseconds(950), $"waited only {time.GetElapsedTime(limited)}");
        Assert.Equal([429, 200], _slack.CallsTo("chat.postMessage").Select(c => c.Status));
        Assert.Single(_slack.Messages);
    }

    [Fact]
    public async Task PostMessageAsync_RetryAfterLongerThanCap_ThrowsRateLimitedWithRetryAfter()
    {
        // arrange
        _slack.FailNext("chat.postMessage", 1, 429, retryAfterSeconds: 120);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => CreateSut().PostMessageAsync("C1", Text("hi"), null, "ob-3", CancellationToken.None));

        // assert
        Assert.True(ex.IsRateLimited);
        Assert.False(ex.MayHaveSucceeded);
        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Single(_slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task PostMessageAsync_5xx_NotRetriedByHttpLayerAndReportedAsMaybeSent()
    {
        // arrange
        _slack.FailNext("chat.postMessage", 1, 503);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => CreateSut().PostMessageAsync("C1", Text("hi"), null, "ob-4", CancellationToken.None));

        // assert
        Assert.Equal("http_503", ex.Error);
        Assert.True(ex.IsTransient);
        Assert.True(ex.MayHaveSucceeded);
        Assert.Single(_slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task UpdateMessageAsync_5xxTwice_RetriedWithBackoffAndSucceeds()
    {
        // arrange
        var ts = _slack.Seed("C1", "old");
        _slack.FailNext("chat.update", 2, 502);

        // act
        await CreateSut().UpdateMessageAsync("C1", ts, Text("new"), CancellationToken.None);

        // assert
        Assert.Equal([502, 502, 200], _slack.CallsTo("chat.update").Select(c => c.Status));
        Assert.Equal("new", Assert.Single(_slack.Messages).Text);
    }

    [Fact]
    public async Task PostMessageAsync_OkFalseChannelNotFound_NotRetriedTypedError()
    {
        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => CreateSut().PostMessageAsync("CGONE", Text("hi"), null, null, CancellationToken.None));

        // assert
        Assert.Equal("channel_not_found", ex.Error);
        Assert.Equal("chat.postMessage", ex.Method);
        Assert.False(ex.IsTransient);
        Assert.Single(_slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task PostMessageAsync_OkFalseRatelimited_Retried()
    {
        // arrange
        _slack.ErrorNext("chat.postMessage", "ratelimited");

        // act
        await CreateSut().PostMessageAsync("C1", Text("hi"), null, "ob-5", CancellationToken.None);

        // assert
        Assert.Equal(["ratelimited", null], _slack.CallsTo("chat.postMessage").Select(c => c.Error));
        Assert.Single(_slack.Messages);
    }

    [Fact]
    public async Task AuthTestAsync_Answers_TeamAndBotUser()
    {
        // act
        var auth = await CreateSut().AuthTestAsync(CancellationToken.None);

        // assert
        Assert.Equal(new SlackAuthInfo("Cerberus Test", "T0CERB", "cerberus", "U0BOT"), auth);
    }

    [Fact]
    public async Task NoBotToken_AnyCall_NotConfiguredWithoutCallingSlack()
    {
        // arrange
        var settings = SlackServices.Fast(_slack);
        settings.Remove("Slack:BotToken");
        await using var services = new SlackServices(settings);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => services.Get<ISlackApi>().AuthTestAsync(CancellationToken.None));

        // assert
        Assert.Equal("not_configured", ex.Error);
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task PostToResponseUrlAsync_AllowedUrl_PostsJsonMessage()
    {
        // arrange
        var url = _slack.NewResponseUrl();
        var message = Text("Incident INC-2026-0001 declared") with { ResponseType = "in_channel" };

        // act
        await CreateSut().PostToResponseUrlAsync(url, message, CancellationToken.None);

        // assert
        var (_, body) = Assert.Single(_slack.ResponsePosts);
        Assert.Equal("Incident INC-2026-0001 declared", body["text"]!.GetValue<string>());
        Assert.Equal("in_channel", body["response_type"]!.GetValue<string>());
        Assert.False(body["replace_original"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("http://hooks.slack.com/commands/T/1/x")]
    [InlineData("https://hooks.slack.com.evil.example/commands/T/1/x")]
    [InlineData("https://evilslack.com/commands/T/1/x")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://user@hooks.slack.com/commands/T/1/x")]
    [InlineData("https://hooks.slack.com:8443/commands/T/1/x")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    public async Task PostToResponseUrlAsync_UrlOutsideSlack_RefusedWithoutRequest(string url)
    {
        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => CreateSut().PostToResponseUrlAsync(url, Text("x"), CancellationToken.None));

        // assert
        Assert.Equal("url_not_allowed", ex.Error);
        Assert.False(ex.IsTransient);
    }

    [Theory]
    [InlineData("https://hooks.slack.com/commands/T1/2/x", true)]
    [InlineData("https://acme.slack.com/commands/T1/2/x", true)]
    [InlineData("https://slack.com/x", true)]
    [InlineData("https://hooks.slack-gov.com/actions/T1/2/x", true)]
    [InlineData("https://slack-gov.com/x", true)]
    [InlineData("https://files.slack.com/upload/v1/abc", true)]
    [InlineData("https://slack.co/x", false)]
    [InlineData("https://xslack.com/x", false)]
    public void IsAllowed_Hosts_OnlySlacksOwn(string url, bool expected)
    {
        // act
        var allowed = SlackUrlGuard.IsAllowed(url, testAllowedBase: null);

        // assert
        Assert.Equal(expected, allowed);
    }

    [Fact]
    public async Task UploadFileAsync_InThread_GetsUrlUploadsBytesAndCompletesIntoTheThread()
    {
        // arrange
        var header = _slack.Seed("C1", "INC-2026-0001");
        var file = new SlackFile("INC-2026-0001.md", "Post-incident report", "# Report\nRPO met.");

        // act
        var fileId = await CreateSut().UploadFileAsync("C1", file, header, CancellationToken.None);

        // assert
        Assert.Equal(["files.getUploadURLExternal", "files.completeUploadExternal"], _slack.Calls.Select(c => c.Method));
        var get = _slack.CallsTo("files.getUploadURLExternal")[0];
        Assert.Equal("INC-2026-0001.md", get.Form["filename"]);
        Assert.Equal(Encoding.UTF8.GetByteCount(file.Content).ToString(System.Globalization.CultureInfo.InvariantCulture), get.Form["length"]);
        Assert.Equal(file.Content, Encoding.UTF8.GetString(_slack.Uploads[fileId]));
        var complete = _slack.CallsTo("files.completeUploadExternal")[0];
        Assert.Equal("C1", complete.Form["channel_id"]);
        Assert.Equal(header, complete.Form["thread_ts"]);
        Assert.Equal("Post-incident report", JsonNode.Parse(complete.Form["files"])![0]!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task FindMessageByOutboxIdAsync_PostedEarlier_FindsItByMetadata()
    {
        // arrange
        _slack.Seed("C1", "other", outboxId: "ob-other");
        var ts = _slack.Seed("C1", "mine", outboxId: "ob-mine");
        var header = _slack.Seed("C1", "header");
        var reply = _slack.Seed("C1", "reply", threadTs: header, outboxId: "ob-reply");

        // act
        var found = await CreateSut().FindMessageByOutboxIdAsync("C1", "ob-mine", null, DateTimeOffset.UtcNow.AddMinutes(-5), CancellationToken.None);
        var foundReply = await CreateSut().FindMessageByOutboxIdAsync("C1", "ob-reply", header, DateTimeOffset.UtcNow.AddMinutes(-5), CancellationToken.None);
        var missing = await CreateSut().FindMessageByOutboxIdAsync("C1", "ob-none", null, DateTimeOffset.UtcNow.AddMinutes(-5), CancellationToken.None);

        // assert
        Assert.Equal(ts, found);
        Assert.Equal(reply, foundReply);
        Assert.Null(missing);
        Assert.All(_slack.CallsTo("conversations.history"), c => Assert.Equal("true", c.Form["include_all_metadata"]));
        Assert.Single(_slack.CallsTo("conversations.replies"));
    }

    [Fact]
    public async Task OtherCalls_CreateInviteEphemeral_SendSlacksFields()
    {
        // arrange
        var sut = CreateSut();

        // act
        var channel = await sut.CreateConversationAsync("inc-2026-0001", isPrivate: false, CancellationToken.None);
        await sut.InviteAsync(channel, ["U1", "U2"], CancellationToken.None);
        await sut.PostEphemeralAsync(channel, "U1", Text("only you"), null, CancellationToken.None);

        // assert
        Assert.Equal("inc-2026-0001", _slack.CallsTo("conversations.create")[0].Form["name"]);
        Assert.Equal("U1,U2", _slack.CallsTo("conversations.invite")[0].Form["users"]);
        Assert.Equal("U1", _slack.CallsTo("chat.postEphemeral")[0].Form["user"]);
    }

    [Fact]
    public async Task AnyCall_FailuresAndSuccesses_NeverLogTokensOrResponseUrls()
    {
        // arrange
        _slack.FailNext("chat.update", 4, 500);
        _slack.FailNext("chat.postMessage", 1, 429, 1);
        var sut = CreateSut();
        var url = _slack.BaseUrl + "response/T1DC2JH3J-397700885554-SECRETPATH";

        // act
        await sut.PostMessageAsync("C1", Text("a"), null, "ob-6", CancellationToken.None);
        await Assert.ThrowsAsync<SlackApiException>(() => sut.UpdateMessageAsync("C1", "1.2", Text("b"), CancellationToken.None));
        await Assert.ThrowsAsync<SlackApiException>(() => sut.PostMessageAsync("CGONE", Text("c"), null, null, CancellationToken.None));
        await sut.PostToResponseUrlAsync(url, Text("d"), CancellationToken.None);

        // assert
        var lines = _services.Logs.Lines;
        Assert.Contains(lines, l => l.Contains("chat.update", StringComparison.Ordinal) && l.Contains("http_500", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("channel_not_found", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("SECRET", StringComparison.Ordinal) || l.Contains("xoxb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RateLimitedMethod_OtherCallsOfThatMethodWaitButOtherMethodsDoNot()
    {
        // arrange: Retry-After above the cap, so the first call fails fast and leaves the method gated
        var settings = SlackServices.Fast(_slack);
        settings["Slack:MaxRetryAfter"] = "00:00:00.500";
        var time = new FakeTimeProvider(Some.T0);
        await using var services = new SlackServices(settings, time);
        var sut = services.Get<ISlackApi>();
        var ts = _slack.Seed("C1", "old");
        _slack.FailNext("chat.postMessage", 1, 429, retryAfterSeconds: 1);
        await Assert.ThrowsAsync<SlackApiException>(() => sut.PostMessageAsync("C1", Text("a"), null, "ob-7", CancellationToken.None).WaitAsync(FakeClock.RealTimeLimit));
        time.Advance(TimeSpan.FromMilliseconds(2)); // past the channel pacing (1 ms), which is not what this is about

        // act: chat.update with the client's clock standing still; chat.postMessage with it moving in small steps
        var updating = sut.UpdateMessageAsync("C1", ts, Text("b"), CancellationToken.None);
        var updatedAtOnce = await Task.WhenAny(updating, Task.Delay(FakeClock.RealTimeLimit)) == updating;
        var post = time.GetTimestamp();
        await time.AdvanceUntilDoneAsync(sut.PostMessageAsync("C2", Text("c"), null, "ob-8", CancellationToken.None), Step, TimeSpan.FromMinutes(1));
        var postHeld = time.GetElapsedTime(post);

        // assert
        Assert.True(updatedAtOnce, "chat.update was held back (it waited on the client's clock)");
        await updating;
        Assert.True(postHeld > TimeSpan.FromMilliseconds(400), $"chat.postMessage did not wait out Retry-After ({postHeld})");
    }

    [Fact]
    public async Task AuthTestAsync_NothingListening_RetriedThenNetworkErrorMayHaveSucceeded()
    {
        // arrange
        var settings = SlackServices.Fast(_slack);
        settings["Slack:ApiBaseUrl"] = "http://127.0.0.1:9/api/";
        await using var services = new SlackServices(settings);

        // act
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => services.Get<ISlackApi>().AuthTestAsync(CancellationToken.None));

        // assert
        Assert.Equal("network_error", ex.Error);
        Assert.True(ex.IsTransient);
        Assert.True(ex.MayHaveSucceeded);
        Assert.Equal(3, services.Logs.Lines.Count(l => l.Contains("Polly", StringComparison.Ordinal) && l.Contains("Resilience event occurred", StringComparison.Ordinal) && l.Contains("OnRetry", StringComparison.Ordinal)));
    }

    private static SlackMessage Text(string text) => new() { Text = text };

    private ISlackApi CreateSut() => _services.Get<ISlackApi>();
}
