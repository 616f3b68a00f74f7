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
        Assert.Equal("1,048,576 B (1.0 MiB), time unknown", estimate.Amount);
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
    public void Estimate_FailoverWhoseCandidateHadEverything_IsNone()
    {
        // arrange
        var action = Failover(new()
        {
            [ActionFigureKeys.OldLeaderLastLsn] = "0/3400000",
            [ActionFigureKeys.SwitchpointLsn] = "0/3400000",
        });

        // act
        var estimate = DataLossCalculator.Estimate([action], TimeSpan.FromMinutes(15));

        // assert
        Assert.Equal(0, estimate.LossBytes);
        Assert.Equal(ObjectiveVerdict.Met, estimate.Verdict);
        Assert.Equal("none", estimate.Amount);
        Assert.StartsWith("none: the promoted replica had received all the WAL", estimate.Explanation, StringComparison.Ordinal);
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
