using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>
/// Patroni's 412/503 answers, scripted: the action re-reads /cluster, never retries blindly, and re-checks the
/// approved state before every POST.
/// </summary>
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
    public async Task Propose_DeadLeader_LossLowerBoundMeasuredAgainstTheDcsOptimeThroughTheReplicaCheck()
    {
        // arrange: the DCS optime is 3 MiB past what pg2 replayed
        var patroni = new FakePatroniClient { LeaderAnswers = false, ReplicaLag = 3 * 1_048_576 };
        var action = Action(patroni, RemediationKind.Failover);

        // act
        var record = await ProposeAsync(action);
        var lower = long.Parse(record.Figures[ActionFigureKeys.EstimatedLossBytes], System.Globalization.CultureInfo.InvariantCulture);

        // assert
        Assert.True(patroni.ReplicaChecks > 2);
        Assert.Equal("true", record.Figures[ActionFigureKeys.LossLowerMeasured]);
        Assert.InRange(lower, (3 * 1_048_576) - DcsOptimeReader.Precision, 3 * 1_048_576);
        Assert.Contains("measured against the DCS optime", record.BasedOn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_DeadLeaderReplicaViewOfTheDcsOlderThanTtl_LossUnknownNotAssumed()
    {
        // arrange: Patroni drops a cached cluster after ttl; its /replica check would then never report a lag
        var patroni = new FakePatroniClient { LeaderAnswers = false, ReplicaLag = 3 * 1_048_576, DcsSeenAgo = TimeSpan.FromMinutes(2) };
        var action = Action(patroni, RemediationKind.Failover);

        // act
        var record = await ProposeAsync(action);

        // assert
        Assert.Equal(0, patroni.ReplicaChecks);
        Assert.Equal("false", record.Figures[ActionFigureKeys.LossLowerMeasured]);
        Assert.Equal("unknown", record.Figures[ActionFigureKeys.EstimatedLossBytes]);
        Assert.Contains("≥ 0 B, unverified", record.BasedOn, StringComparison.Ordinal);
        Assert.NotNull(record.RiskWarning);
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
    public async Task Execute_LeaderDiedAfterProposal_StateChangedAndNothingSent()
    {
        // arrange: approved as a graceful switchover; the leader stops answering before the first POST
        var patroni = new FakePatroniClient();
        var action = Action(patroni, RemediationKind.Failover);
        var record = await ProposeAsync(action);
        patroni.LeaderAnswers = false;

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Empty(patroni.Sent);
        Assert.NotNull(outcome.StateChange);
        Assert.StartsWith("switchover; leader=pg1;healthy=True", outcome.StateChange, StringComparison.Ordinal);
        Assert.Contains("→ failover; leader=pg1;healthy=False", outcome.StateChange, StringComparison.Ordinal);
        Assert.Equal("0", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
    }

    [Fact]
    public async Task Execute_LeaderDiesDuringTheRetryWait_RetryRefusedAndNoFailoverSent()
    {
        // arrange: attempt 1 is a switchover refused with 412; the leader dies before attempt 2
        var patroni = new FakePatroniClient();
        patroni.Answer(412, "switchover is not possible: no good candidates have been found");
        patroni.AfterPost = posts => patroni.LeaderAnswers = posts < 1;
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal(["switchover pg1->pg2"], patroni.Sent);
        Assert.StartsWith("state changed since the approval: switchover;", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains("→ failover;", outcome.StateChange, StringComparison.Ordinal);
        Assert.Equal("1", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Contains("412", outcome.Figures["patroni_answers"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_CandidateFallsBehindDuringTheRetryWait_RetryRefusedWithTheNewLagBucket()
    {
        // arrange: approved with pg2 within maximum_lag_on_failover; it falls 64 MiB behind before attempt 2
        var patroni = new FakePatroniClient();
        patroni.Answer(412, "switchover is not possible: no good candidates have been found");
        patroni.AfterPost = _ => patroni.ReplicaLag = 64L * 1024 * 1024;
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.Equal(1, patroni.Posts);
        Assert.NotNull(outcome.StateChange);
        Assert.Contains("candidate=pg2:running:within;candidate_tl=4;sync=False; risk=none →", outcome.StateChange, StringComparison.Ordinal);
        Assert.EndsWith("candidate=pg2:running:over;candidate_tl=4;sync=False; risk=over_max_lag", outcome.StateChange, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Switchover failed")]
    [InlineData("failed to write switchover key into DCS")]
    public async Task Execute_Patroni503Failed_FailsAtOnceWithoutPollingOrReposting(string body)
    {
        // arrange
        var patroni = new FakePatroniClient();
        patroni.Answer(503, body);
        var action = Action(patroni);
        var record = await ProposeAsync(action);
        var progress = new ListProgress();
        var readsBefore = patroni.ClusterReads;

        // act
        var outcome = await action.ExecuteAsync(record, progress, CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.StateChange);
        Assert.Equal(1, patroni.Posts);
        Assert.Contains("did not happen", outcome.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(progress.Lines, l => l.Contains("outcome is unknown", StringComparison.Ordinal));
        Assert.True(patroni.ClusterReads - readsBefore <= 6, $"{patroni.ClusterReads - readsBefore} /cluster reads: it polled");
    }

    [Fact]
    public async Task Execute_AnswerLostAfterTheRequestWasSent_ChecksClusterAndReportsThePromotion()
    {
        // arrange: the connection resets after the body went out; Patroni did switch over
        var patroni = new FakePatroniClient { State = posts => posts >= 1 ? ("pg2", 5) : ("pg1", 4) };
        patroni.AnswerTransportError(notSent: false);
        var action = Action(patroni);
        var record = await ProposeAsync(action);
        var progress = new ListProgress();

        // act
        var outcome = await action.ExecuteAsync(record, progress, CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(1, patroni.Posts);
        Assert.Contains("the promotion happened", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains(progress.Lines, l => l.Contains("may have reached Patroni", StringComparison.Ordinal));
        Assert.DoesNotContain("Nothing was sent", outcome.Summary, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Execute_AnswerLostAndClusterUnchanged_FailsAsNotHappenedNeverAsNotSent()
    {
        // arrange
        var patroni = new FakePatroniClient();
        patroni.AnswerTransportError(notSent: false, timedOut: true);
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal(1, patroni.Posts);
        Assert.Contains("the promotion did not happen", outcome.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was sent", outcome.Summary, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Execute_ConnectionNeverEstablished_FailsSayingNothingWasSent()
    {
        // arrange
        var patroni = new FakePatroniClient();
        patroni.AnswerTransportError(notSent: true);
        var action = Action(patroni);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal(1, patroni.Posts);
        Assert.Contains("nothing was sent", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal("0", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
    }

    [Fact]
    public async Task Execute_PatroniPromotedAnotherMember_RecordsTheMemberItChoseAndVerifiesThatOne()
    {
        // arrange: a failover to pg2 (pg1's primary is down); Patroni answers that it chose pg1 instead
        var patroni = new FakePatroniClient { LeaderAnswers = false, State = posts => posts >= 1 ? ("pg1", 5) : ("pg1", 4) };
        patroni.Answer(200, "Failed over to \"pg1\" instead of \"pg2\"");
        var action = Action(patroni, RemediationKind.Failover);
        var record = await ProposeAsync(action);

        // act
        var outcome = await action.ExecuteAsync(record, new Progress<string>(), CancellationToken.None);
        foreach (var (key, value) in outcome.Figures)
        {
            record.Figures[key] = value;
        }

        var verified = await action.VerifyAsync(record, CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(["failover ->pg2"], patroni.Sent);
        Assert.Equal("pg1", outcome.Figures[ActionFigureKeys.NewLeader]);
        Assert.Equal("pg2", outcome.Figures["requested_candidate"]);
        Assert.Contains("NOT the approved pg2", outcome.Summary, StringComparison.Ordinal);
        Assert.StartsWith("pg1 leads in /cluster", verified.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_AnotherMemberLeadsOnANewerTimeline_ReportsThatPromotionWithoutPosting()
    {
        // arrange: approved pg1 → pg2; after the restart pg1 leads again, but on a newer timeline
        var reconciling = false;
        var patroni = new FakePatroniClient { State = _ => reconciling ? ("pg1", 5) : ("pg1", 4) };
        var action = Action(patroni);
        var record = await ProposeAsync(action);
        reconciling = true;

        // act
        var outcome = await action.ReconcileAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(0, patroni.Posts);
        Assert.Contains("NOT the approved pg2", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal("pg1", outcome.Figures[ActionFigureKeys.NewLeader]);
        Assert.Equal("5", outcome.Figures[ActionFigureKeys.TimelineAfter]);
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

    [Fact]
    public async Task Propose_ClusterAnswerNamesTwoLeaders_NotApplicableAndSaysSplitBrain()
    {
        // arrange: never sent by Patroni 3.0.2 (one leader per answer), so no promotion is planned on it
        var patroni = new FakePatroniClient { State = _ => ("pg1+pg2", 4) };
        var action = Action(patroni, RemediationKind.Failover);

        // act
        var proposal = await action.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("nothing is planned on a split brain", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Equal(0, patroni.Posts);
    }
}
