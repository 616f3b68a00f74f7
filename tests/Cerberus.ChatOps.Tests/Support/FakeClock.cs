using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// Drives a <see cref="FakeTimeProvider"/> for work that waits on it (backoff, verify deadlines, retry-after): the
/// clock moves one step at a time until the work has finished, so the product's timers fire in order as they would
/// in real time, without the test spending that time.
/// </summary>
internal static class FakeClock
{
    /// <summary>How long a test waits in real time for work the clock has released, before it calls the work hung.</summary>
    public static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>The real time the work gets after each step to run on to its next timer (or to its end).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="work"/> completes, giving the
    /// work a moment of real time after each step to reach its next timer; fails when the clock has moved
    /// <paramref name="limit"/> and the work is still waiting. Returns the work's result.
    /// </summary>
    public static async Task<T> AdvanceUntilDoneAsync<T>(this FakeTimeProvider time, Task<T> work, TimeSpan step, TimeSpan limit)
    {
        await time.AdvanceUntilDoneAsync((Task)work, step, limit);
        return await work;
    }

    /// <inheritdoc cref="AdvanceUntilDoneAsync{T}(FakeTimeProvider, Task{T}, TimeSpan, TimeSpan)"/>
    public static Task AdvanceUntilDoneAsync(this FakeTimeProvider time, Task work, TimeSpan step, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(work);
        return time.AdvanceUntilAsync(() => work.IsCompleted, step, limit, "the work did not finish", work);
    }

    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="condition"/> holds (work
    /// running in the background, e.g. a hosted service), giving it a moment of real time after each step; fails
    /// with <paramref name="because"/> when the clock has moved <paramref name="limit"/> first.
    /// </summary>
    public static Task AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> condition, TimeSpan step, TimeSpan limit, string because) =>
        time.AdvanceUntilAsync(condition, step, limit, because, null);

    private static async Task AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> condition, TimeSpan step, TimeSpan limit, string because, Task? work)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(condition);
        var moved = TimeSpan.Zero;
        while (!condition())
        {
            if (moved >= limit)
            {
                throw new TimeoutException($"{because}: still waiting after the fake clock moved {limit} (now {time})");
            }

            time.Advance(step);
            moved += step;
            await (work is null ? Task.Delay(Settle) : Task.WhenAny(work, Task.Delay(Settle)));
        }

        if (work is not null)
        {
            await work;
        }
    }
}
