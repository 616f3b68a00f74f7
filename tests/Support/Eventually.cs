using System.Collections;
using System.Diagnostics;
using System.Globalization;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// The one way a test waits for something another thread, process, server or cluster does: it polls a probe every
/// <see cref="Interval"/> (or the interval it is given) until the condition holds, and fails after the timeout
/// with a <see cref="TimeoutException"/> that says what was awaited, how long, and what the probe last saw. The probe
/// is always run once more at the timeout, so a slow last poll is never the reason for a failure. Use it instead
/// of a sleep or a hand-written deadline loop; time that the product reads through its <see cref="TimeProvider"/>
/// is moved with a fake clock instead.
/// </summary>
public static class Eventually
{
    /// <summary>The default pause between polls: short, since most probes are in-process reads.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>The pause for probes that ask a real server (SQL, Patroni's REST API): the lab tests' usual pace.</summary>
    public static readonly TimeSpan ServerInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    /// <param name="because">What a failure says: what did not happen (e.g. "the archiver did not catch up").</param>
    public static Task Async(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Async(() => Task.FromResult(condition()), held => held, timeout, because, interval);
    }

    /// <summary>Waits until the asynchronous <paramref name="condition"/> is true.</summary>
    /// <param name="because">What a failure says: what did not happen.</param>
    /// <param name="retryOn">Exceptions of the probe that mean "not yet" (polled again); any other one fails at once.</param>
    public static Task Async(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null, Func<Exception, bool>? retryOn = null) =>
        Async(condition, held => held, timeout, because, interval, retryOn: retryOn);

    /// <summary>Waits until what <paramref name="probe"/> returns satisfies <paramref name="until"/>, and returns that value.</summary>
    /// <param name="because">What a failure says: what did not happen.</param>
    /// <param name="describe">How the failure shows the last value seen (its <see cref="object.ToString"/> otherwise).</param>
    public static Task<T> Async<T>(Func<T> probe, Func<T, bool> until, TimeSpan timeout, string because, TimeSpan? interval = null, Func<T, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return Async(() => Task.FromResult(probe()), until, timeout, because, interval, describe);
    }

    /// <summary>Waits until what the asynchronous <paramref name="probe"/> returns satisfies <paramref name="until"/>, and returns that value.</summary>
    /// <param name="because">What a failure says: what did not happen.</param>
    /// <param name="describe">How the failure shows the last value seen (its <see cref="object.ToString"/> otherwise).</param>
    /// <param name="retryOn">Exceptions of the probe that mean "not yet" (polled again); any other one fails at once.</param>
    public static async Task<T> Async<T>(
        Func<Task<T>> probe,
        Func<T, bool> until,
        TimeSpan timeout,
        string because,
        TimeSpan? interval = null,
        Func<T, string>? describe = null,
        Func<Exception, bool>? retryOn = null)
    {
        var poll = await PollAsync(probe, until, timeout, interval, retryOn);
        if (poll.Held)
        {
            return poll.Last;
        }

        var observed = poll.Failure is not null ? $"the probe threw {poll.Failure.GetType().Name}: {poll.Failure.Message}"
            : poll.Seen ? describe?.Invoke(poll.Last) ?? Describe(poll.Last)
            : "nothing";
        throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
            $"{because} (waited {timeout.TotalSeconds:0.###} s, {poll.Polls} polls; last observed: {observed})"), poll.Failure);
    }

    /// <summary>
    /// The same wait for a best-effort step (clean-up that leaves the next test a settled lab): true when the
    /// condition held, false when the timeout passed first.
    /// </summary>
    /// <param name="retryOn">Exceptions of the condition that mean "not yet" (polled again); any other one is thrown.</param>
    public static async Task<bool> TryAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null, Func<Exception, bool>? retryOn = null) =>
        (await PollAsync(condition, held => held, timeout, interval, retryOn)).Held;

    private static async Task<Poll<T>> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> until, TimeSpan timeout, TimeSpan? interval, Func<Exception, bool>? retryOn)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(until);
        var watch = Stopwatch.StartNew();
        var poll = new Poll<T>();
        while (true)
        {
            var last = watch.Elapsed >= timeout;
            poll.Polls++;
            try
            {
                poll.Last = await probe();
                poll.Seen = true;
                poll.Failure = null;
                if (until(poll.Last))
                {
                    poll.Held = true;
                    return poll;
                }
            }
            catch (Exception ex) when (retryOn?.Invoke(ex) == true)
            {
                poll.Failure = ex;
            }

            if (last)
            {
                return poll;
            }

            var pause = interval ?? Interval;
            var left = timeout - watch.Elapsed;
            await Task.Delay(left >= pause ? pause : left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => '"' + text + '"',
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Take(20).Select(Describe)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    /// <summary>What a wait saw: whether the condition held, the probe's last answer (or failure), how often it asked.</summary>
    private sealed class Poll<T>
    {
        public bool Held { get; set; }

        public bool Seen { get; set; }

        public T Last { get; set; } = default!;

        public Exception? Failure { get; set; }

        public int Polls { get; set; }
    }
}
