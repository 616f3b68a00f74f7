using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackOutboxWorkerTests : IAsyncLifetime
{
    private const string Incident = "INC-2026-0001";
    private FakeSlackServer _slack = null!;
    private SlackServices _services = null!;
    private int _sequence;

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
    public async Task ProcessOnceAsync_HeaderThenThreadThenUpdate_InOrderUsingTheHeadersTs()
    {
        // arrange
        var header = Item(OutboxKinds.Post, "header", "INC-2026-0001 declared");
        var reply = Item(OutboxKinds.Thread, "header", "Diagnostics started");
        var update = Item(OutboxKinds.Update, "header", "INC-2026-0001 diagnosing");
        await Enqueue(header, reply, update);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(3, done);
        var headerTs = _services.Outbox.Get(header.Id).ResultTs;
        Assert.NotNull(headerTs);
        Assert.Equal(("C1", headerTs), await _services.Outbox.GetMessageRefAsync(Incident, "header", CancellationToken.None));
        var posted = _slack.Messages;
        Assert.Equal(2, posted.Count);
        Assert.Equal("INC-2026-0001 diagnosing", posted[0].Text);
        Assert.Equal(headerTs, posted[1].ThreadTs);
        Assert.Equal(reply.Id, posted[1].OutboxId);
        Assert.All(_services.Outbox.Items, i => Assert.Equal(OutboxStatus.Sent, i.Status));
    }

    [Fact]
    public async Task ProcessOnceAsync_StatusGoesInFlightBeforeSlackIsCalled()
    {
        // arrange
        var item = Item(OutboxKinds.Post, "header", "hello");
        await Enqueue(item);

        // act
        await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal([OutboxStatus.InFlight, OutboxStatus.Sent], _services.Outbox.History.Where(h => h.Id == item.Id).Select(h => h.Status));
    }

    [Fact]
    public async Task ProcessOnceAsync_ThreadReplyWithoutHeaderYet_WaitsAndKeepsOrder()
    {
        // arrange
        var reply = Item(OutboxKinds.Thread, "header", "reply before header exists");
        var later = Item(OutboxKinds.Post, null, "a later message in the same channel");
        await Enqueue(reply, later);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(0, done);
        Assert.Empty(_slack.CallsTo("chat.postMessage"));
        Assert.Equal(OutboxStatus.Pending, _services.Outbox.Get(reply.Id).Status);
        Assert.Equal(0, _services.Outbox.Get(reply.Id).Attempts);
        Assert.Equal(OutboxStatus.Pending, _services.Outbox.Get(later.Id).Status);
    }

    [Fact]
    public async Task ProcessOnceAsync_InFlightAfterCrashAndAlreadyPosted_FoundByMetadataNotPostedAgain()
    {
        // arrange
        var item = Item(OutboxKinds.Post, "header", "INC-2026-0001 declared") with { Status = OutboxStatus.InFlight, Attempts = 1 };
        await Enqueue(item);
        var ts = _slack.Seed("C1", "INC-2026-0001 declared", outboxId: item.Id);

        // act
        await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Empty(_slack.CallsTo("chat.postMessage"));
        Assert.Single(_slack.CallsTo("conversations.history"));
        Assert.Equal(OutboxStatus.Sent, _services.Outbox.Get(item.Id).Status);
        Assert.Equal(ts, _services.Outbox.Get(item.Id).ResultTs);
        Assert.Equal(("C1", ts), await _services.Outbox.GetMessageRefAsync(Incident, "header", CancellationToken.None));
    }

    [Fact]
    public async Task ProcessOnceAsync_InFlightAfterCrashButNeverArrived_PostedOnce()
    {
        // arrange
        var item = Item(OutboxKinds.Post, null, "lost in the crash") with { Status = OutboxStatus.InFlight, Attempts = 1 };
        await Enqueue(item);

        // act
        await CreateSut().ProcessOnceAsync(CancellationToken.None);
        await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Single(_slack.CallsTo("conversations.history"));
        Assert.Single(_slack.CallsTo("chat.postMessage"));
        Assert.Equal(item.Id, Assert.Single(_slack.Messages).OutboxId);
        Assert.Equal(OutboxStatus.Sent, _services.Outbox.Get(item.Id).Status);
    }

    [Fact]
    public async Task ProcessOnceAsync_AmbiguousFailureThenRetry_LooksUpFirstAndPostsExactlyOnce()
    {
        // arrange
        _slack.FailAfterProcessingNext("chat.postMessage");
        var item = Item(OutboxKinds.Post, "header", "posted, but the answer was a 500");
        await Enqueue(item);
        var sut = CreateSut();

        // act
        await sut.ProcessOnceAsync(CancellationToken.None);
        var afterFirst = _services.Outbox.Get(item.Id);
        await WaitDueAsync(afterFirst);
        await sut.ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(OutboxStatus.InFlight, afterFirst.Status);
        Assert.Equal("http_500", afterFirst.LastError);
        Assert.Single(_slack.CallsTo("chat.postMessage"));
        Assert.Single(_slack.Messages);
        Assert.Equal(OutboxStatus.Sent, _services.Outbox.Get(item.Id).Status);
        Assert.Equal(_slack.Messages[0].Ts, _services.Outbox.Get(item.Id).ResultTs);
    }

    [Fact]
    public async Task ProcessOnceAsync_RateLimitedLongerThanHttpLayerWaits_RescheduledPendingAfterRetryAfter()
    {
        // arrange
        _slack.FailNext("chat.postMessage", 1, 429, retryAfterSeconds: 90);
        var item = Item(OutboxKinds.Post, null, "hello");
        await Enqueue(item);
        var before = DateTimeOffset.UtcNow;

        // act
        await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        var after = _services.Outbox.Get(item.Id);
        Assert.Equal(OutboxStatus.Pending, after.Status);
        Assert.Equal("ratelimited", after.LastError);
        Assert.InRange(after.NextAttemptAt, before.AddSeconds(89), before.AddSeconds(95));
        Assert.Empty(_slack.Messages);
    }

    [Theory]
    [InlineData("channel_not_found")]
    [InlineData("not_in_channel")]
    [InlineData("invalid_blocks")]
    [InlineData("is_archived")]
    public async Task ProcessOnceAsync_PermanentError_DeadWithErrorAndNextItemsContinue(string error)
    {
        // arrange
        _slack.ErrorNext("chat.postMessage", error);
        var doomed = Item(OutboxKinds.Post, null, "doomed");
        var next = Item(OutboxKinds.Post, null, "next");
        await Enqueue(doomed, next);

        // act
        await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(OutboxStatus.Dead, _services.Outbox.Get(doomed.Id).Status);
        Assert.Equal(error, _services.Outbox.Get(doomed.Id).LastError);
        Assert.Equal(OutboxStatus.Sent, _services.Outbox.Get(next.Id).Status);
        Assert.Contains(_services.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessOnceAsync_EphemeralResponseUrlAndFile_EachSentTheirWay()
    {
        // arrange
        var header = Item(OutboxKinds.Post, "header", "header");
        var ephemeral = Item(OutboxKinds.Ephemeral, null, "only you", m => m with { User = "U7" });
        var response = Item(OutboxKinds.ResponseUrl, null, "replaced", m => m with { ResponseUrl = _slack.NewResponseUrl(), ReplaceOriginal = true });
        var file = Item(OutboxKinds.File, "header", "report", m => m with { File = new SlackFile("INC-2026-0001.md", "Post-incident report", "# Report") });
        await Enqueue(header, ephemeral, response, file);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(4, done);
        Assert.Equal("U7", Assert.Single(_slack.CallsTo("chat.postEphemeral")).Form["user"]);
        Assert.True(Assert.Single(_slack.ResponsePosts).Body["replace_original"]!.GetValue<bool>());
        var complete = Assert.Single(_slack.CallsTo("files.completeUploadExternal"));
        Assert.Equal(_services.Outbox.Get(header.Id).ResultTs, complete.Form["thread_ts"]);
        Assert.All(_services.Outbox.Items, i => Assert.Equal(OutboxStatus.Sent, i.Status));
    }

    [Fact]
    public async Task ProcessOnceAsync_FileCompleteAmbiguousFailure_FoundInTheThreadNotSharedTwice()
    {
        // arrange
        _slack.FailAfterProcessingNext("files.completeUploadExternal");
        var header = Item(OutboxKinds.Post, "header", "header");
        var file = Item(OutboxKinds.File, "header", "report", m => m with { File = new SlackFile("INC-2026-0001.md", "Post-incident report", "# Report") });
        await Enqueue(header, file);
        var sut = CreateSut();

        // act
        await sut.ProcessOnceAsync(CancellationToken.None);
        var afterFirst = _services.Outbox.Get(file.Id);
        await WaitDueAsync(afterFirst);
        await sut.ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(OutboxStatus.InFlight, afterFirst.Status);
        Assert.Single(_slack.CallsTo("files.completeUploadExternal"));
        Assert.Single(_slack.CallsTo("conversations.replies"));
        Assert.Single(_slack.Messages, m => m.Files is not null);
        Assert.Equal(OutboxStatus.Sent, _services.Outbox.Get(file.Id).Status);
    }

    [Fact]
    public async Task ProcessOnceAsync_ItemClaimedByAnotherLiveWorker_NotSentAndItsChannelWaits()
    {
        // arrange: another replica, whose lease lapsed mid-pass, is still sending the first item
        var first = Item(OutboxKinds.Post, null, "being sent by replica B");
        var second = Item(OutboxKinds.Post, null, "after it");
        var otherChannel = Item(OutboxKinds.Post, null, "elsewhere") with { Channel = "C2" };
        await Enqueue(first, second, otherChannel);
        await _services.Outbox.TryClaimAsync(first.Id, "replica-b", DateTimeOffset.UtcNow, new SlackOptions().OutboxClaimTimeout, CancellationToken.None);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(1, done);
        Assert.Equal(otherChannel.Id, Assert.Single(_slack.Messages).OutboxId);
        Assert.Equal("replica-b", _services.Outbox.Get(first.Id).ClaimedBy);
        Assert.Equal(OutboxStatus.Pending, _services.Outbox.Get(first.Id).Status);
        Assert.Equal(OutboxStatus.Pending, _services.Outbox.Get(second.Id).Status);
    }

    [Fact]
    public async Task ProcessOnceAsync_ItemFinishedByAnotherWorkerSinceListed_TheNextOneOfItsChannelGoes()
    {
        // arrange
        var first = Item(OutboxKinds.Post, null, "sent by replica B");
        var second = Item(OutboxKinds.Post, null, "after it");
        await Enqueue(first, second);
        var claimed = (await _services.Outbox.TryClaimAsync(first.Id, "replica-b", DateTimeOffset.UtcNow, new SlackOptions().OutboxClaimTimeout, CancellationToken.None))!;
        await _services.Outbox.UpdateClaimedAsync(claimed with { Status = OutboxStatus.Sent, ResultTs = "1.1" }, "replica-b", release: true, CancellationToken.None);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(1, done);
        Assert.Equal(second.Id, Assert.Single(_slack.Messages).OutboxId);
    }

    [Fact]
    public async Task ProcessOnceAsync_BacklogOfRetriedItemsLargerThanTheBatch_ANewApprovalCardStillGoesOut()
    {
        // arrange: 250 items of another channel wait for their next attempt (older than the card)
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var backlog = Enumerable.Range(0, 250).Select(_ => Item(OutboxKinds.Post, null, "retried") with { Channel = "C-BUSY", NextAttemptAt = later }).ToArray();
        await Enqueue(backlog);
        var card = Item(OutboxKinds.Post, null, "Approve failover?") with { Channel = "C-INC" };
        await Enqueue(card);

        // act
        var done = await CreateSut().ProcessOnceAsync(CancellationToken.None);

        // assert
        Assert.Equal(1, done);
        Assert.Equal(card.Id, Assert.Single(_slack.Messages).OutboxId);
        Assert.Null(_services.Outbox.Get(card.Id).ClaimedBy);
    }

    [Fact]
    public async Task Worker_SlackFailsAndRateLimitsForAWhile_EveryMessageArrivesExactlyOnceInOrder()
    {
        // arrange: the worker's clock (backoff, Retry-After, pacing) is a fake one, started at the items' time
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = SlackServices.Fast(_slack);
        settings["Slack:AttemptTimeout"] = "00:01:00"; // on the fake clock too: out of reach of the steps during a real round trip
        await using var services = new SlackServices(settings, time);
        var items = new List<OutboxItem> { Item(OutboxKinds.Post, "header", "header") };
        for (var i = 0; i < 8; i++)
        {
            items.Add(Item(OutboxKinds.Thread, "header", $"reply {i}"));
        }

        items.Add(Item(OutboxKinds.Update, "header", "header, resolved"));
        await services.Outbox.EnqueueAsync(items, CancellationToken.None);
        _slack.FailNext("*", 6, 503);
        _slack.FailNext("chat.postMessage", 2, 429, retryAfterSeconds: 1);
        _slack.FailAfterProcessingNext("chat.postMessage", 2);
        var sut = services.Get<SlackOutboxWorker>();

        // act: the clock moves on in small steps until every item is sent
        await sut.StartAsync(CancellationToken.None);
        services.Get<OutboxSignal>().Notify();
        await time.AdvanceUntilAsync(() => services.Outbox.Items.All(i => i.Status == OutboxStatus.Sent), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(60),
            "not every outbox item was sent");
        await sut.StopAsync(CancellationToken.None);

        // assert
        Assert.All(services.Outbox.Items, i => Assert.Equal(OutboxStatus.Sent, i.Status));
        var posted = _slack.Messages;
        Assert.Equal(9, posted.Count);
        Assert.Equal(items.Take(9).Select(i => i.Id), posted.Select(m => m.OutboxId));
        Assert.Equal("header, resolved", posted[0].Text);
        Assert.All(posted.Skip(1), m => Assert.Equal(posted[0].Ts, m.ThreadTs));
        Assert.Contains(_slack.Calls, c => c.Status == 503);
        Assert.Contains(_slack.Calls, c => c.Status == 429);
    }

    [Fact]
    public async Task Worker_BacklogLongerThanOnePass_DrainsWithoutWaitingForThePollInterval()
    {
        // arrange: 50 messages in one channel (a pass takes 20 of a channel), one signal, and a poll interval of an hour
        var settings = SlackServices.Fast(_slack);
        settings["Slack:OutboxPollInterval"] = "01:00:00";
        await using var services = new SlackServices(settings);
        await services.Outbox.EnqueueAsync([.. Enumerable.Range(0, 50).Select(i => Item(OutboxKinds.Post, null, $"message {i}"))], CancellationToken.None);
        var sut = services.Get<SlackOutboxWorker>();

        // act
        await sut.StartAsync(CancellationToken.None);
        services.Get<OutboxSignal>().Notify();
        await Eventually.Async(() => services.Outbox.Items, items => items.All(i => i.Status == OutboxStatus.Sent), TimeSpan.FromSeconds(20),
            "the backlog did not drain", describe: items => $"{items.Count(i => i.Status == OutboxStatus.Sent)} of {items.Count} sent");
        await sut.StopAsync(CancellationToken.None);

        // assert
        Assert.Equal(50, _slack.Messages.Count);
    }

    private SlackOutboxWorker CreateSut() => _services.Get<SlackOutboxWorker>();

    private async Task WaitDueAsync(OutboxItem item)
    {
        var wait = item.NextAttemptAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromMilliseconds(20));
        }
    }

    private Task Enqueue(params OutboxItem[] items) => _services.Outbox.EnqueueAsync(items, CancellationToken.None);

    private OutboxItem Item(string kind, string? messageRef, string text, Func<SlackMessage, SlackMessage>? shape = null)
    {
        var message = new SlackMessage { Text = text };
        message = shape?.Invoke(message) ?? message;
        var n = Interlocked.Increment(ref _sequence);
        return new OutboxItem
        {
            Id = $"{Incident}:{n:D3}",
            IncidentId = Incident,
            Kind = kind,
            Channel = "C1",
            Payload = JsonSerializer.Serialize(message),
            MessageRef = messageRef,
            CreatedAt = DateTimeOffset.UtcNow.AddMilliseconds(n),
        };
    }
}
