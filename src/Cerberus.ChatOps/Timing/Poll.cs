namespace Cerberus.ChatOps.Timing;

/// <summary>
/// Polling until a deadline on the injected clock (so a <c>FakeTimeProvider</c> drives it in tests): ask, stop when
/// the answer is the one waited for or the deadline has come, otherwise wait the interval and ask again. The
/// deadline is looked at after each answer, so there is always at least one answer, and the last one comes back
/// either way for the caller to describe.
/// </summary>
internal static class Poll
{
    /// <summary>Polls for at most <paramref name="timeout"/> from now.</summary>
    public static Task<PollResult<T>> UntilAsync<T>(
        TimeProvider time, TimeSpan timeout, TimeSpan interval, Func<CancellationToken, Task<T>> probe, Func<T, bool> done, CancellationToken cancellationToken) =>
        UntilAsync(time, Deadline(time, timeout), interval, probe, done, static _ => { }, cancellationToken);

    /// <summary>
    /// Polls for at most <paramref name="timeout"/> from now; <paramref name="waiting"/> hears every answer that is
    /// neither the one waited for nor the last (it runs just before the wait), e.g. to say why it waits.
    /// </summary>
    public static Task<PollResult<T>> UntilAsync<T>(
        TimeProvider time, TimeSpan timeout, TimeSpan interval, Func<CancellationToken, Task<T>> probe, Func<T, bool> done, Action<T> waiting,
        CancellationToken cancellationToken) =>
        UntilAsync(time, Deadline(time, timeout), interval, probe, done, waiting, cancellationToken);

    /// <summary>Polls until <paramref name="deadline"/>, for several waits that share one deadline.</summary>
    public static Task<PollResult<T>> UntilAsync<T>(
        TimeProvider time, DateTimeOffset deadline, TimeSpan interval, Func<CancellationToken, Task<T>> probe, Func<T, bool> done, CancellationToken cancellationToken) =>
        UntilAsync(time, deadline, interval, probe, done, static _ => { }, cancellationToken);

    /// <summary>The moment <paramref name="timeout"/> from now, on the injected clock.</summary>
    public static DateTimeOffset Deadline(TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetUtcNow() + timeout;
    }

    private static async Task<PollResult<T>> UntilAsync<T>(
        TimeProvider time, DateTimeOffset deadline, TimeSpan interval, Func<CancellationToken, Task<T>> probe, Func<T, bool> done, Action<T> waiting,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        while (true)
        {
            var answer = await probe(cancellationToken);
            if (done(answer))
            {
                return new(answer, true);
            }

            if (time.GetUtcNow() >= deadline)
            {
                return new(answer, false);
            }

            waiting(answer);
            if (interval > TimeSpan.Zero)
            {
                await Task.Delay(interval, time, cancellationToken);
            }
        }
    }
}
