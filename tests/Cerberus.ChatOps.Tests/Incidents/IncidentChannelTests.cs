using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Incidents;

/// <summary>
/// Incident channels end to end: the declaration asks, the outbox opens the channel and hands it back
/// (<see cref="IncidentChannelOpener"/>), the pointer and the header follow, whatever the diagnostics posted meanwhile
/// lands in the header's thread; crashes, lost answers and name clashes give one channel and one header, or the thread.
/// </summary>
public sealed class IncidentChannelTests
{
    private const string Other = "C0OTHER";
    private const string CreatedNote = "incident channel #C0OWN1 created; the commander and the contacts were invited";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task StartAsync_SlowChannelCreation_HoldsUpNoDeclarationAndTheIncidentIsFoundWhereItWasDeclared()
    {
        // arrange
        await using var h = CreateSut(out var slack);
        slack.CreateGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None).WaitAsync(Patience);
        var createCallsAtDeclaration = slack.CreateCalls;
        var delivering = h.DeliverOutboxAsync();
        await slack.CreateCalled.Task.WaitAsync(Patience);

        // act
        var elsewhere = await h.Engine.Commands.StartAsync(Other, Some.Approver, "replica lags", false, new ReplyTarget(Other, Some.Approver, "https://hooks.slack.com/commands/T0/2/x"), None).WaitAsync(Patience);
        var again = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Approver, "again", false, EngineHarness.Reply(Some.Approver), None).WaitAsync(Patience);
        var stillCreating = !delivering.IsCompleted;
        var pending = await h.IncidentAsync(first!);
        slack.CreateGate.SetResult();
        await delivering.WaitAsync(Patience);
        await h.DeliverOutboxAsync();

        // assert
        Assert.Equal(0, createCallsAtDeclaration);
        Assert.True(stillCreating);
        Assert.Equal(first, again);
        Assert.NotEqual(first, elsewhere);
        Assert.True(pending.ChannelPending);
        Assert.Equal(EngineHarness.Channel, pending.Channel);
        Assert.Equal(2, slack.Created.Count);
        Assert.StartsWith("C0OWN", (await h.IncidentAsync(first!)).Channel, StringComparison.Ordinal);
        Assert.StartsWith("C0OWN", (await h.IncidentAsync(elsewhere!)).Channel, StringComparison.Ordinal);
        Assert.Contains(slack.Replies, r => r.Text.Contains("already open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_ChannelOpened_PointerThenHeaderThenTheDiagnosticsInItsThread()
    {
        // arrange
        await using var h = CreateSut(out var slack);
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();

        // act
        await h.DeliverOutboxAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.Equal("C0OWN1", incident.Channel);
        Assert.False(incident.ChannelPending);
        Assert.Single(incident.Timeline, e => e.Kind == TimelineKind.Note && e.Actor == Incident.BotActor && e.Text == CreatedNote);
        var posts = slack.Posts;
        var pointer = Assert.Single(posts, p => p.Channel == EngineHarness.Channel);
        Assert.Contains("The incident is worked in <#C0OWN1>", pointer.Message.Text, StringComparison.Ordinal);
        var header = Assert.Single(posts, IsHeader(id));
        Assert.Equal("C0OWN1", header.Channel);
        Assert.True(IndexOf(posts, pointer) < IndexOf(posts, header));
        Assert.Equal(("C0OWN1", header.Ts), await h.Store.GetMessageRefAsync(id, OutboxBatch.HeaderRef, None));
        var diagnosis = Assert.Single(posts, p => p.Message.Text.Contains("diagnostics:", StringComparison.Ordinal));
        Assert.Equal(("C0OWN1", header.Ts), (diagnosis.Channel, diagnosis.ThreadTs));
        Assert.Contains(slack.Updates, u => (u.Channel, u.Ts) == ("C0OWN1", header.Ts));
    }

    [Fact]
    public async Task StartAsync_ChannelRefused_HeaderInTheDeclaringChannelThenTheDiagnosticsInItsThread()
    {
        // arrange
        await using var h = CreateSut(out var slack);
        slack.FailCreateWith = "restricted_action";
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();

        // act
        await h.DeliverOutboxAsync();

        // assert
        var incident = await h.IncidentAsync(id);
        Assert.Equal(EngineHarness.Channel, incident.Channel);
        Assert.False(incident.ChannelPending);
        Assert.Single(incident.Timeline, e => e.Text == "could not open an incident channel (Slack answered `restricted_action`); working in this thread");
        var posts = slack.Posts;
        var header = Assert.Single(posts, IsHeader(id));
        Assert.Equal(EngineHarness.Channel, header.Channel);
        Assert.DoesNotContain(posts, p => p.Message.Text.Contains("The incident is worked in", StringComparison.Ordinal));
        var diagnosis = Assert.Single(posts, p => p.Message.Text.Contains("diagnostics:", StringComparison.Ordinal));
        Assert.Equal((EngineHarness.Channel, header.Ts), (diagnosis.Channel, diagnosis.ThreadTs));
        Assert.Empty(await h.OutboxAsync());
    }

    [Theory]
    [InlineData("The incident is worked in")]
    [InlineData("INC-2026-0001 CRITICAL")]
    public async Task StartAsync_ProcessKilledAfterTheChannelWasCreated_TheRestartResumesWithOneChannelOnePointerOneHeader(string killedAfterPosting)
    {
        // arrange
        await using var h = CreateSut(out var slack);
        slack.CrashAfterPostContaining = killedAfterPosting;
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(h.DeliverOutboxAsync);

        // act
        h.Restart();
        await h.DeliverOutboxAsync();

        // assert
        Assert.Equal(1, slack.CreateCalls);
        var incident = await h.IncidentAsync(id);
        Assert.Equal("C0OWN1", incident.Channel);
        Assert.Single(incident.Timeline, e => e.Text == CreatedNote);
        var posts = slack.Posts;
        Assert.Single(posts, p => p.Message.Text.Contains("The incident is worked in <#C0OWN1>", StringComparison.Ordinal));
        var header = Assert.Single(posts, IsHeader(id));
        Assert.Equal(("C0OWN1", header.Ts), await h.Store.GetMessageRefAsync(id, OutboxBatch.HeaderRef, None));
        Assert.Equal(header.Ts, Assert.Single(posts, p => p.Message.Text.Contains("diagnostics:", StringComparison.Ordinal)).ThreadTs);
        Assert.Empty(await h.OutboxAsync());
    }

    [Fact]
    public async Task StartAsync_CreatesAnswerLost_TheRetryMeetsNameTakenAndUsesTheChannelItHadCreated()
    {
        // arrange
        await using var h = CreateSut(out var slack);
        slack.LoseNextCreateAnswer = true;
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;
        await h.IdleAsync();

        // act
        await h.DeliverOutboxAsync();

        // assert
        Assert.Equal(2, slack.CreateCalls);
        Assert.Equal(["inc-2026-0001-api-returns-500s"], slack.Created);
        var incident = await h.IncidentAsync(id);
        Assert.Equal("C0OWN1", incident.Channel);
        Assert.Single(incident.Timeline, e => e.Text == CreatedNote);
        Assert.Equal("C0OWN1", Assert.Single(slack.Posts, IsHeader(id)).Channel);
        Assert.Equal("C0OWN1", Assert.Single(slack.Invites).Channel);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartAsync_NameTakenByAnOlderChannel_NeverUsesItAndWorksInTheThread(bool earlierAnswerLost)
    {
        // arrange
        await using var h = CreateSut(out var slack);
        slack.AddExistingChannel("C0OLD", "inc-2026-0001-api-returns-500s", Some.T0.AddDays(-30));
        slack.FailNextCreateWith = earlierAnswerLost ? "internal_error" : null;
        var id = (await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None))!;

        // act
        await h.DeliverOutboxAsync();

        // assert
        Assert.Empty(slack.Created);
        Assert.Empty(slack.Invites);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(EngineHarness.Channel, incident.Channel);
        Assert.Single(incident.Timeline, e => e.Text == "could not open an incident channel (Slack answered `name_taken`); working in this thread");
        Assert.Equal(EngineHarness.Channel, Assert.Single(slack.Posts, IsHeader(id)).Channel);
        Assert.DoesNotContain(slack.Posts, p => p.Channel == "C0OLD");
    }

    private static EngineHarness CreateSut(out RecordingSlackApi slack)
    {
        var h = new EngineHarness();
        slack = new RecordingSlackApi { Clock = h.Time };
        h.Slack = slack;
        h.Options.IncidentChannels.Enabled = true;
        h.Options.Contacts.PrimarySlack = "U0DBA";
        h.Restart();
        return h;
    }

    /// <summary>The header: a top-level message whose fallback text starts with the id and the severity.</summary>
    private static Predicate<RecordedPost> IsHeader(string id) =>
        p => p.ThreadTs is null && p.Message.Text.StartsWith(id + " CRITICAL", StringComparison.Ordinal);

    private static int IndexOf(IReadOnlyList<RecordedPost> posts, RecordedPost post) => posts.ToList().IndexOf(post);
}
