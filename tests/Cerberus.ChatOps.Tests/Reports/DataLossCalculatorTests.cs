using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Reports;

namespace Cerberus.ChatOps.Tests.Reports;

public sealed class DataLossCalculatorTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 14, 2, 0, 0, TimeSpan.Zero);

    private static ActionRecord Failover(Dictionary<string, string> figures, ActionStatus status = ActionStatus.Succeeded, bool dryRun = false) => new()
    {
        Id = "A-1",
        Kind = RemediationKind.Failover,
        Target = "pg2",
        Description = "failover to pg2",
        BasedOn = "diagnosis",
        ObservedFingerprint = "fp",
        ProposedBy = "U0ONCALL",
        ProposedAt = At,
        ExpiresAt = At.AddMinutes(15),
        Status = status,
        DryRun = dryRun,
        Figures = figures,
    };

    [Fact]
    public void Estimate_OnlyEstimatedBytesWithoutRate_VerdictIsUnknown()
    {
        // arrange
        var action = Failover(new() { [ActionFigureKeys.EstimatedLossBytes] = "1048576" });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Equal(1_048_576, estimate.LossBytes);
        Assert.Null(estimate.LossSeconds);
        Assert.Equal(ObjectiveVerdict.Unknown, estimate.Verdict);
        Assert.Equal("≥ 1,048,576 B (1 MiB), time unknown, upper bound unknown", estimate.Amount);
        Assert.Contains("no WAL rate recorded", estimate.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_LossLongerThanTheRpo_VerdictIsMissed()
    {
        // arrange
        var action = Failover(new()
        {
            [ActionFigureKeys.OldLeaderLastLsn] = "0/40000000",
            [ActionFigureKeys.CandidateReceivedLsn] = "0/10000000",
            [ActionFigureKeys.WalRateBytesPerSecond] = "500000",
        });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Equal(0x30000000, estimate.LossBytes);
        Assert.Equal(0x30000000 / 500000d, estimate.LossSeconds);
        Assert.Equal(ObjectiveVerdict.Missed, estimate.Verdict);
        Assert.Equal("RPO 15 min missed", estimate.Sentence);
    }

    [Fact]
    public void Estimate_FailoverWhoseCandidateHadEverythingTheDcsRecorded_IsAtLeastZeroNeverNone()
    {
        // arrange: nothing missing that was measured, but the leader can have written after its last optime
        var action = Failover(new()
        {
            [ActionFigureKeys.OldLeaderLastLsn] = "0/3400000",
            [ActionFigureKeys.SwitchpointLsn] = "0/3400000",
        });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Equal(0, estimate.LossBytes);
        Assert.False(estimate.Certain);
        Assert.Equal(ObjectiveVerdict.Unknown, estimate.Verdict);
        Assert.Equal("≥ 0 B (no loss measured, none proven), upper bound unknown", estimate.Amount);
        Assert.StartsWith("no loss was measured, none is proven", estimate.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_FailoverWithAnUpperBoundWithinTheRpo_IsMet()
    {
        // arrange: at least 1 MiB, at most 1 MiB + 30 s × 100 kB/s
        var action = Failover(new()
        {
            [ActionFigureKeys.OldLeaderLastLsn] = "0/3500000",
            [ActionFigureKeys.CandidateReceivedLsn] = "0/3400000",
            [ActionFigureKeys.WalRateBytesPerSecond] = "100000",
            [ActionFigureKeys.LossUpperBytes] = "4048576",
            [ActionFigureKeys.PatroniTtlSeconds] = "30",
        });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Equal(1_048_576, estimate.LossBytes);
        Assert.Equal(4_048_576, estimate.UpperBytes);
        Assert.Equal(ObjectiveVerdict.Met, estimate.Verdict);
        Assert.Contains("at most 4,048,576 B", estimate.Amount, StringComparison.Ordinal);
        Assert.Contains("ttl 30 s", estimate.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_FailoverWhoseLowerBoundWasNotMeasured_IsUnknownNotTheClusterLag()
    {
        // arrange: the estimate is Patroni's /cluster lag, not a measured lower bound
        var action = Failover(new()
        {
            [ActionFigureKeys.EstimatedLossBytes] = "999",
            [ActionFigureKeys.LossLowerMeasured] = "false",
        });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Null(estimate.LossBytes);
        Assert.Equal(ObjectiveVerdict.Unknown, estimate.Verdict);
        Assert.Equal("unknown", estimate.Amount);
    }

    [Theory]
    [InlineData("replica", true, "none")]
    [InlineData("not back", false, "≥ 0 B (no loss measured, none proven), upper bound unknown")]
    public void Estimate_Switchover_NoneOnlyWhenTheOldLeaderRejoined(string oldLeaderState, bool certain, string amount)
    {
        // arrange
        var action = Failover(new()
        {
            [ActionFigureKeys.FailoverMode] = ActionFigureKeys.FailoverModeSwitchover,
            [ActionFigureKeys.EstimatedLossBytes] = "0",
            [ActionFigureKeys.OldLeaderState] = oldLeaderState,
        });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Equal(certain, estimate.Certain);
        Assert.Equal(amount, estimate.Amount);
        Assert.Equal(certain ? ObjectiveVerdict.Met : ObjectiveVerdict.Unknown, estimate.Verdict);
    }

    [Theory]
    [InlineData(ActionStatus.Failed, false)]
    [InlineData(ActionStatus.Succeeded, true)]
    [InlineData(ActionStatus.Rejected, false)]
    public void Estimate_FailoverThatDidNotPromote_IsNoFailover(ActionStatus status, bool dryRun)
    {
        // arrange
        var action = Failover(new() { [ActionFigureKeys.EstimatedLossBytes] = "999" }, status, dryRun);

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.False(estimate.FailoverHappened);
        Assert.Equal(0, estimate.LossBytes);
        Assert.Equal("none: no failover took place, the primary kept all its data.", estimate.Explanation);
    }
}
