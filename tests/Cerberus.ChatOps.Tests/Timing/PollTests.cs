using Cerberus.ChatOps.Timing;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Timing;

public sealed class PollTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task UntilAsync_FirstAnswerIsTheOne_ConvergesWithoutWaiting()
    {
        // arrange
        var clock = new StepClock();
        var probe = new ScriptedProbe(clock, 7);

        // act
        var result = await Poll.UntilAsync(clock, TimeSpan.FromSeconds(10), Interval, probe.AskAsync, a => a == 7, CancellationToken.None);

        // assert
        Assert.Equal(new PollResult<int>(7, true), result);
        Assert.Equal([T0], probe.AskedAt);
        Assert.Equal(0, clock.Waits);
    }

    [Fact]
    public async Task UntilAsync_ThirdAnswerIsTheOne_WaitsTheIntervalBetweenAnswersOnTheInjectedClock()
    {
        // arrange
        var clock = new StepClock();
        var probe = new ScriptedProbe(clock, 1, 2, 3, 4);

        // act
        var poll = Poll.UntilAsync(clock, TimeSpan.FromSeconds(10), Interval, probe.AskAsync, a => a == 3, CancellationToken.None);
        await clock.NextWaitAsync(Interval);
        await clock.NextWaitAsync(Interval);
        var result = await poll.WaitAsync(TimeSpan.FromSeconds(5));

        // assert
        Assert.Equal(new PollResult<int>(3, true), result);
        Assert.Equal([T0, T0 + Interval, T0 + (2 * Interval)], probe.AskedAt);
    }

    [Fact]
    public async Task UntilAsync_NeverTheOne_LastAnswerAtTheDeadlineComesBackNotConverged()
    {
        // arrange: 9 s at 3 s intervals: answers at 0, 3, 6 and 9 s, the last one at the deadline
        var clock = new StepClock();
        var probe = new ScriptedProbe(clock, 1, 2, 3, 4, 5);

        // act
        var poll = Poll.UntilAsync(clock, TimeSpan.FromSeconds(9), Interval, probe.AskAsync, a => a == 99, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await clock.NextWaitAsync(Interval);
        }

        var result = await poll.WaitAsync(TimeSpan.FromSeconds(5));

        // assert
        Assert.Equal(new PollResult<int>(4, false), result);
        Assert.Equal(4, probe.AskedAt.Count);
        Assert.Equal(T0 + TimeSpan.FromSeconds(9), probe.AskedAt[^1]);
        Assert.Equal(3, clock.Waits);
    }

    [Fact]
    public async Task UntilAsync_ZeroTimeout_OneLook()
    {
        // arrange
        var clock = new StepClock();
        var probe = new ScriptedProbe(clock, 1, 2);

        // act
        var result = await Poll.UntilAsync(clock, TimeSpan.Zero, Interval, probe.AskAsync, a => a == 2, CancellationToken.None);

        // assert
        Assert.Equal(new PollResult<int>(1, false), result);
        Assert.Single(probe.AskedAt);
        Assert.Equal(0, clock.Waits);
    }

    [Fact]
    public async Task UntilAsync_SharedDeadlineAlreadyPassed_OneLook()
    {
        // arrange: a first wait used the whole budget
        var clock = new StepClock();
        var deadline = Poll.Deadline(clock, TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(6));
        var probe = new ScriptedProbe(clock, 1, 2);

        // act
        var result = await Poll.UntilAsync(clock, deadline, Interval, probe.AskAsync, a => a == 2, CancellationToken.None);

        // assert
        Assert.False(result.Converged);
        Assert.Single(probe.AskedAt);
    }

    [Fact]
    public async Task UntilAsync_Waiting_HearsEveryAnswerButTheOneWaitedForAndTheLast()
    {
        // arrange
        var clock = new StepClock();
        var probe = new ScriptedProbe(clock, 1, 2, 3);
        var heard = new List<int>();

        // act
        var poll = Poll.UntilAsync(clock, TimeSpan.FromSeconds(10), Interval, probe.AskAsync, a => a == 3, heard.Add, CancellationToken.None);
        await clock.NextWaitAsync(Interval);
        await clock.NextWaitAsync(Interval);
        await poll.WaitAsync(TimeSpan.FromSeconds(5));

        // assert
        Assert.Equal([1, 2], heard);
    }

    [Fact]
    public async Task UntilAsync_CancelledWhileWaiting_Throws()
    {
        // arrange
        var clock = new StepClock();
        var probe = new ScriptedProbe(clock, 1, 2);
        using var cancel = new CancellationTokenSource();

        // act
        var poll = Poll.UntilAsync(clock, TimeSpan.FromSeconds(10), Interval, probe.AskAsync, a => a == 2, cancel.Token);
        await clock.NextWaitAsync(TimeSpan.Zero);
        await cancel.CancelAsync();

        // assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(probe.AskedAt);
    }

    /// <summary>Answers from a script and notes when (on the fake clock) it was asked.</summary>
    private sealed class ScriptedProbe(TimeProvider clock, params int[] answers)
    {
        private readonly Queue<int> _answers = new(answers);

        public List<DateTimeOffset> AskedAt { get; } = [];

        public Task<int> AskAsync(CancellationToken cancellationToken)
        {
            AskedAt.Add(clock.GetUtcNow());
            return Task.FromResult(_answers.Dequeue());
        }
    }

    /// <summary>A fake clock that knows when the code under test starts a wait, so the test moves it only then.</summary>
    private sealed class StepClock() : FakeTimeProvider(T0)
    {
        private readonly SemaphoreSlim _started = new(0);

        public int Waits { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Waits++;
            _started.Release();
            return timer;
        }

        /// <summary>Waits (real time, 5 s at most) for the next wait to start, then moves the clock by <paramref name="step"/>.</summary>
        public async Task NextWaitAsync(TimeSpan step)
        {
            Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(5)), "no wait started");
            Advance(step);
        }
    }
}
