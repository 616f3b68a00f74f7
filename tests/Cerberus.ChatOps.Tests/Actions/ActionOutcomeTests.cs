using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>The StateChanged contract the engine relies on to post a fresh card.</summary>
public sealed class ActionOutcomeTests
{
    [Fact]
    public void StateChanged_WithFigures_FailsWithTheChangeAndKeepsWhatHappened()
    {
        // arrange
        var figures = new Dictionary<string, string> { [ActionFigureKeys.RowsDeleted] = "4000", [ActionOutcome.SideEffectsDoneFigure] = "1" };

        // act
        var outcome = ActionOutcome.StateChanged("index=True", "index=False", figures);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal("index=True → index=False", outcome.StateChange);
        Assert.Equal("state changed since the approval: index=True → index=False", outcome.Summary);
        Assert.Equal("4000", outcome.Figures[ActionFigureKeys.RowsDeleted]);
        Assert.Equal("1", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
    }

    [Fact]
    public void StateChanged_WithoutFigures_RecordsThatNothingWasDone()
    {
        // act
        var outcome = ActionOutcome.StateChanged("primary=True", "primary=False");

        // assert
        Assert.Equal("0", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
    }

    [Fact]
    public void FailureAndSuccess_NeverCarryAStateChange()
    {
        // act
        var failure = ActionOutcome.Failure("no");
        var success = ActionOutcome.Success("yes");

        // assert
        Assert.Null(failure.StateChange);
        Assert.Null(success.StateChange);
    }
}
