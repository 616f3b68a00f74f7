using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>Patroni's 412/503 answers, scripted: the action re-reads /cluster and never retries blindly.</summary>
public sealed class PatroniFailoverActionTests
{
    private static readonly ActionsOptions Options = new()
    {
        WalRateSampleInterval = TimeSpan.Zero,
        PollInterval = TimeSpan.FromMilliseconds(10),
        VerifyDeadline = TimeSpan.FromMilliseconds(300),
    };

    private static PatroniFailoverAction Action(FakePatroniClient patroni, RemediationKind kind = RemediationKind.Switchover) =>
        new(kind, patroni, new PostgresConnector(Microsoft.Extensions.Options.Options.Create(new ActionsOptions())),
            Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLogger<PatroniFailoverAction>.Instance);

    private static ProposalRequest Request(bool dryRun = false) =>
        new("INC-1", "act-1", "U1", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), dryRun, new Dictionary<string, string>());

    private static async Task<ActionRecord> ProposeAsync(PatroniFailoverAction action, bool dryRun = false)
    {
        var proposal = await action.ProposeAsync(Request(dryRun), CancellationToken.None);
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        return proposal.Action;
    }

    [Fact]
    public async Task Execute_NoGoodCandidatesOnce_RetriesExactlyOnceAndSucceeds()
    {
        // arrange
        var patroni = new FakePatroniClient { State = posts => posts >= 2 ? ("pg2", 5) : ("pg1", 4) };
        patroni.Answer(412, "switchover is not possible: no good candidates have been found");
        patroni.Answer(200, "Successfully switched over to \"pg2\"");
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(2, patroni.Posts);
        Assert.Equal("pg2", outcome.Figures[ActionFigureKeys.NewLeader]);
    }

    [Fact]
    public async Task Execute_NoGoodCandidatesTwice_FailsAfterTwoPostsNeverMore()
    {
        // arrange
        var patroni = new FakePatroniClient();
        patroni.Answer(412, "switchover is not possible: no good candidates have been found");
        patroni.Answer(412, "switchover is not possible: no good candidates have been found");
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal(2, patroni.Posts);
        Assert.Contains("no good candidates", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_StatusUnknownButClusterShowsCandidateLeading_SucceedsWithoutReposting()
    {
        // arrange
        var patroni = new FakePatroniClient { State = posts => posts >= 1 ? ("pg2", 5) : ("pg1", 4) };
        patroni.Answer(503, "Switchover status unknown");
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(1, patroni.Posts);
        Assert.Contains("the promotion happened", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_StatusUnknownAndClusterUnchanged_FailsWithoutReposting()
    {
        // arrange
        var patroni = new FakePatroniClient();
        patroni.Answer(503, "Switchover status unknown");
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal(1, patroni.Posts);
        Assert.Contains("Not retried blindly", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_LeaderDiedAfterProposal_SendsFailoverNotSwitchover()
    {
        // arrange: proposed as a switchover, the leader stops answering before execution
        var patroni = new FakePatroniClient { State = posts => posts >= 1 ? ("pg2", 5) : ("pg1", 4) };
        patroni.Answer(200, "Successfully failed over to \"pg2\"");
        var action = Action(patroni, RemediationKind.Failover);
        var record = await ProposeAsync(action);
        patroni.LeaderAnswers = false;

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(["failover ->pg2"], patroni.Sent);
        Assert.Equal("failover", outcome.Figures[ActionFigureKeys.FailoverMode]);
    }

    [Fact]
    public async Task Execute_DryRun_PostsNothing()
    {
        // arrange
        var patroni = new FakePatroniClient();
        var action = Action(patroni);
        var record = await ProposeAsync(action, dryRun: true);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded);
        Assert.StartsWith("dry run: would", outcome.Summary, StringComparison.Ordinal);
        Assert.StartsWith("DRY RUN", record.Description, StringComparison.Ordinal);
        Assert.Equal(0, patroni.Posts);
    }

    [Fact]
    public async Task Propose_SwitchoverWithoutHealthyLeader_NotApplicableSuggestsFailover()
    {
        // arrange
        var patroni = new FakePatroniClient { LeaderAnswers = false };
        var action = Action(patroni);

        // act
        var proposal = await action.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("propose a failover instead", proposal.NotApplicableReason, StringComparison.Ordinal);
    }
}
