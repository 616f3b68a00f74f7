using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Tests.Actions;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Faults;

/// <summary>
/// Found by the kill -9 suite: a host killed mid-switchover and restarted within a second reconciled against a
/// cluster that had no leader yet, and reported "switchover failed" for a switchover that then completed.
/// </summary>
public sealed class PatroniReconcileTests
{
    private static readonly ActionsOptions Settings = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(10),
        VerifyDeadline = TimeSpan.FromMilliseconds(2000),
    };

    /// <summary>The action's clock: its polls and its verify deadline pass when the test moves it.</summary>
    private readonly FakeTimeProvider _time = new(Some.T0);

    [Fact]
    public async Task ReconcileAsync_RestartWhileTheClusterIsBetweenLeaders_WaitsAndReportsThePromotion()
    {
        // arrange
        var restarted = _time.GetTimestamp();
        var reconciling = false;
        var patroni = new FakePatroniClient
        {
            State = _ => !reconciling ? ("pg1", 4) : _time.GetElapsedTime(restarted) < TimeSpan.FromMilliseconds(200) ? (null, 4) : ("pg2", 5),
        };
        var action = new PatroniFailoverAction(RemediationKind.Switchover, patroni, new PostgresConnector(Options.Create(new ActionsOptions())),
            Options.Create(Settings), _time, NullLogger<PatroniFailoverAction>.Instance);
        var record = (await ProposeAsync(action)).Action!;
        reconciling = true;
        restarted = _time.GetTimestamp();

        // act
        var outcome = await ReconcileAsync(action, record);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Contains("The promotion happened", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(0, patroni.Posts);
    }

    [Fact]
    public async Task ReconcileAsync_OldLeaderStillLeadsAfterTheDeadline_ReportsNothingHappenedWithoutPosting()
    {
        // arrange
        var patroni = new FakePatroniClient { State = _ => ("pg1", 4) };
        var action = new PatroniFailoverAction(RemediationKind.Switchover, patroni, new PostgresConnector(Options.Create(new ActionsOptions())),
            Options.Create(Settings), _time, NullLogger<PatroniFailoverAction>.Instance);
        var record = (await ProposeAsync(action)).Action!;

        // act
        var outcome = await ReconcileAsync(action, record);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("did not happen", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(0, patroni.Posts);
    }

    /// <summary>The proposal (its plan samples the WAL rate over a pause), with the clock moved on until it is made.</summary>
    private Task<ActionProposal> ProposeAsync(PatroniFailoverAction action) =>
        _time.AdvanceUntilDoneAsync(
            action.ProposeAsync(new ProposalRequest("INC-2026-0001", "A-1", "U1", _time.GetUtcNow(), TimeSpan.FromMinutes(15), false, new Dictionary<string, string>()), CancellationToken.None),
            TimeSpan.FromMilliseconds(50),
            TimeSpan.FromMinutes(1));

    /// <summary>The reconcile of a restarted host, with the clock moved on 50 ms at a time (a few polls) until it answers.</summary>
    private Task<ActionOutcome> ReconcileAsync(PatroniFailoverAction action, ActionRecord record) =>
        _time.AdvanceUntilDoneAsync(action.ReconcileAsync(record, new Progress<string>(), CancellationToken.None), TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
}
