using System.Text.Json;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Store;
using Cerberus.ChatOps.Tests.Faults;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Incidents;

/// <summary>
/// The inbox worker on the real engine, with an incident store that can be told to fail (a store hiccup) and the
/// in-memory inbox and outbox: claims per item, attempts counted in the store, and a request that keeps failing
/// answered privately before it is set aside (review finding 15: it used to be dropped silently).
/// </summary>
public sealed class IncidentWorkerTests : IDisposable
{
    private const string ResponseUrl = "https://hooks.slack.com/commands/T0/1/abc";

    private readonly InMemoryIncidentStore _incidents = new();
    private readonly InMemoryInboxStore _inbox = new();
    private readonly InMemoryOutboxStore _outbox = new();
    private readonly CollectingLoggerProvider _logs = new();

    /// <summary>The worker's clock: its retry backoff passes when the test moves it.</summary>
    private readonly FakeTimeProvider _time = new(Some.T0);
    private readonly TestLifetime _lifetime = new();
    private readonly ProcessLease _lease = new(new DeadPredecessorLeaseStore(), Options.Create(new StoreOptions { Provider = StoreProvider.Sqlite }));

    public void Dispose()
    {
        _lifetime.StopApplication();
        _lifetime.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task ProcessOnceAsync_CommandFailsEveryAttempt_SetAsideAfterThreeWithOnePrivateReply()
    {
        // arrange
        _incidents.FailWith = new SqliteException("disk I/O error", 10);
        await _inbox.TryAddAsync(Command("cmd:1", "status"), CancellationToken.None);
        var sut = CreateSut();

        // act
        var passes = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            passes.Add(await PassAsync(sut));
        }

        // assert
        Assert.Equal([1, 1, 1, 0], passes);
        var item = _inbox.Get("cmd:1");
        Assert.True(item.Done);
        Assert.True(item.SetAside);
        Assert.Equal(3, item.Attempts);
        Assert.Equal("the incident store is not available", item.LastError);
        var reply = Assert.Single(_outbox.Items);
        Assert.Equal(OutboxKinds.ResponseUrl, reply.Kind);
        var message = SlackMessageJson.Deserialize(reply.Payload);
        Assert.Equal(ResponseUrl, message.ResponseUrl);
        Assert.Equal("ephemeral", message.ResponseType);
        Assert.Equal(
            "Your command `/dbincident status` could not be processed: the incident store is not available. Nothing ran; try again or use the break-glass CLI.",
            message.Text);
        Assert.DoesNotContain("disk I/O", reply.Payload, StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, l => l.Contains("cmd:1 set aside after 3 attempt(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessOnceAsync_FailsOnceThenTheStoreIsBack_DoneWithoutASetAsideReply()
    {
        // arrange
        _incidents.FailWith = new SqliteException("database is locked", 5);
        await _inbox.TryAddAsync(Command("cmd:1", "status"), CancellationToken.None);
        var sut = CreateSut();
        await PassAsync(sut);
        var afterFailure = _inbox.Get("cmd:1");
        _incidents.FailWith = null;

        // act
        await PassAsync(sut);

        // assert
        Assert.False(afterFailure.Done);
        Assert.Null(afterFailure.ClaimedBy);
        Assert.Equal(1, afterFailure.Attempts);
        var item = _inbox.Get("cmd:1");
        Assert.True(item.Done);
        Assert.False(item.SetAside);
        Assert.Equal(2, item.Attempts);
        Assert.DoesNotContain(_outbox.Items, i => i.Id.StartsWith("inbox-set-aside/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessOnceAsync_ItemClaimedByAnotherLiveReplica_SkippedAndLeftToIt()
    {
        // arrange
        _incidents.FailWith = new InvalidOperationException("must not be dispatched here");
        await _inbox.TryAddAsync(Command("cmd:1", "status"), CancellationToken.None);
        await _inbox.TryAddAsync(Command("cmd:2", "help"), CancellationToken.None);
        await _inbox.TryClaimAsync("cmd:1", "replica-b", IncidentWorker.ClaimTimeout, CancellationToken.None);
        _incidents.FailWith = null;

        // act
        var claimed = await PassAsync(CreateSut());

        // assert
        Assert.Equal(1, claimed);
        var held = _inbox.Get("cmd:1");
        Assert.False(held.Done);
        Assert.Equal("replica-b", held.ClaimedBy);
        Assert.Equal(1, held.Attempts);
        Assert.True(_inbox.Get("cmd:2").Done);
    }

    [Fact]
    public async Task ProcessOnceAsync_ClickWhoseEveryAttemptDiedWithItsProcess_SetAsideWithoutRunningAndTheUserIsTold()
    {
        // arrange: the single replica claimed it three times and was killed each time before finishing
        await _inbox.TryAddAsync(Click("int:1"), CancellationToken.None);
        for (var i = 0; i < IncidentWorker.MaxAttempts; i++)
        {
            await _inbox.TryClaimAsync("int:1", _lease.Owner, IncidentWorker.ClaimTimeout, CancellationToken.None);
        }

        _incidents.FailWith = new InvalidOperationException("must not be dispatched again");

        // act
        await PassAsync(CreateSut());

        // assert
        var item = _inbox.Get("int:1");
        Assert.True(item.SetAside);
        Assert.Equal("it was interrupted 3 times", item.LastError);
        var message = SlackMessageJson.Deserialize(Assert.Single(_outbox.Items).Payload);
        Assert.Equal("Your click could not be processed: it was interrupted 3 times. Nothing ran; try again or use the break-glass CLI.", message.Text);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("must not be dispatched", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessOnceAsync_UnreadablePayload_SetAsideLoggedWithNobodyToTell()
    {
        // arrange
        await _inbox.TryAddAsync(new InboundItem { Key = "cmd:bad", Kind = InboundKinds.Command, Payload = "{not json", ReceivedAt = Some.T0 }, CancellationToken.None);
        var sut = CreateSut();

        // act
        for (var i = 0; i < IncidentWorker.MaxAttempts; i++)
        {
            await PassAsync(sut);
        }

        // assert
        var item = _inbox.Get("cmd:bad");
        Assert.True(item.SetAside);
        Assert.Equal("the request could not be read", item.LastError);
        Assert.Empty(_outbox.Items);
        Assert.Contains(_logs.Lines, l => l.Contains("cmd:bad set aside", StringComparison.Ordinal) && l.Contains("user told: False", StringComparison.Ordinal));
    }

    private static InboundItem Command(string key, string text) => new()
    {
        Key = key,
        Kind = InboundKinds.Command,
        Payload = JsonSerializer.Serialize(new SlashCommand("T0", "C0OPS", "ops", Some.Starter, "starter", "/dbincident", text, ResponseUrl, "trigger-" + key)),
        ReceivedAt = Some.T0,
    };

    private static InboundItem Click(string key) => new()
    {
        Key = key,
        Kind = InboundKinds.Interaction,
        Payload = JsonSerializer.Serialize(new InteractionPayload("block_actions", "T0", Some.Approver, "approver", "C0INCIDENT", "1764126000.000100", null, "trigger-" + key, [])),
        ReceivedAt = Some.T0,
    };

    /// <summary>One pass over the inbox, with the clock moved on through whatever backoff the pass waits out.</summary>
    private Task<int> PassAsync(IncidentWorker sut) =>
        _time.AdvanceUntilDoneAsync(sut.ProcessOnceAsync(CancellationToken.None), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));

    private IncidentWorker CreateSut()
    {
        var time = _time;
        var options = new StaticOptionsMonitor<IncidentOptions>(new IncidentOptions { Approvers = [Some.Approver] });
        var work = new BackgroundWork(_lifetime, NullLogger<BackgroundWork>.Instance);
        var roster = new ApproverRoster(options, time, NullLogger<ApproverRoster>.Instance);
        var execution = new ExecutionLease(new DeadPredecessorLeaseStore(), options, time, NullLogger<ExecutionLease>.Instance);
        var (_, _, dispatcher, _) = EngineHarness.Compose(_incidents, _outbox, new FakeDiagnosticsRunner(time), [], options, null, roster, new UserRateLimiter(options), execution, work, time);
        var loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        return new IncidentWorker(
            _inbox,
            _outbox,
            dispatcher,
            new InboundSignal(),
            new OutboxSignal(),
            _lease,
            time,
            loggers.CreateLogger<IncidentWorker>());
    }
}
