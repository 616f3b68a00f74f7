using System.Diagnostics;
using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Tests.Actions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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

    [Fact]
    public async Task ReconcileAsync_RestartWhileTheClusterIsBetweenLeaders_WaitsAndReportsThePromotion()
    {
        // arrange
        var restarted = Stopwatch.StartNew();
        var reconciling = false;
        var patroni = new FakePatroniClient
        {
            State = _ => !reconciling ? ("pg1", 4) : restarted.ElapsedMilliseconds < 200 ? (null, 4) : ("pg2", 5),
        };
        var action = new PatroniFailoverAction(RemediationKind.Switchover, patroni, new PostgresConnector(Options.Create(new ActionsOptions())),
            Options.Create(Settings), TimeProvider.System, NullLogger<PatroniFailoverAction>.Instance);
        var record = (await action.ProposeAsync(new ProposalRequest("INC-2026-0001", "A-1", "U1", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), false, new Dictionary<string, string>()), CancellationToken.None)).Action!;
        reconciling = true;
        restarted.Restart();

        // act
        var outcome = await action.ReconcileAsync(record, new Progress<string>(), CancellationToken.None);

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
            Options.Create(Settings), TimeProvider.System, NullLogger<PatroniFailoverAction>.Instance);
        var record = (await action.ProposeAsync(new ProposalRequest("INC-2026-0001", "A-1", "U1", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), false, new Dictionary<string, string>()), CancellationToken.None)).Action!;

        // act
        var outcome = await action.ReconcileAsync(record, new Progress<string>(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("did not happen", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(0, patroni.Posts);
    }
}
