using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// Measures the leader's last optime in the DCS without DCS access, through Patroni's documented replica health
/// check: <c>GET /replica?lag=N</c> answers 503 when <c>cluster.last_lsn &gt; replayed_location + N</c> (api.py
/// <c>do_GET</c>, 3.0.2), so a search over N on a running replica finds the gap. The replica's replayed position is
/// read first: it only moves forward, so the result stays a lower bound even while the replica still replays.
/// </summary>
internal static class DcsOptimeReader
{
    /// <summary>The search stops when the gap is known to within this (a fraction of Patroni's 1 MiB default lag).</summary>
    public const long Precision = 1024;

    private const long FirstProbe = 1_048_576;
    private const long LargestProbe = 1L << 44;

    /// <summary>Runs the search on every running replica at once, within <paramref name="budget"/>.</summary>
    /// <param name="replicas">Each replica's name, API root and replayed position read just before.</param>
    public static async Task<DcsOptime> MeasureAsync(
        IPatroniClient patroni,
        IReadOnlyList<(string Name, Uri Api, long Replayed)> replicas,
        TimeSpan budget,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patroni);
        ArgumentNullException.ThrowIfNull(replicas);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(budget);
        var results = await Task.WhenAll(replicas.Select(async r =>
        {
            try
            {
                return (r.Name, Gap: await GapAsync(patroni, r.Api, cts.Token));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (r.Name, Gap: (Searched?)null);
            }
        }));

        var caughtUp = new HashSet<string>(StringComparer.Ordinal);
        var measured = new HashSet<string>(StringComparer.Ordinal);
        long? atLeast = null;
        foreach (var (name, gap) in results)
        {
            if (gap is not { } g)
            {
                continue;
            }

            measured.Add(name);
            var replayed = replicas.First(r => string.Equals(r.Name, name, StringComparison.Ordinal)).Replayed;
            if (g.AboveAtLeast is not { } above)
            {
                caughtUp.Add(name);
                continue;
            }

            var optime = replayed + above + 1;
            atLeast = atLeast is { } a ? Math.Max(a, optime) : optime;
        }

        return new DcsOptime(atLeast, caughtUp, measured);
    }

    /// <summary>
    /// null = the check cannot be used on this member (not a running replica, or no answer); AboveAtLeast null = the
    /// DCS optime is not ahead of the replayed position; else the largest N (bytes) that still answered 503.
    /// </summary>
    private static async Task<Searched?> GapAsync(IPatroniClient patroni, Uri api, CancellationToken cancellationToken)
    {
        // Without a lag limit a 503 means "not a running replica" (or noloadbalance): the search would mean nothing.
        if (await IsWithinAsync(patroni, api, null, cancellationToken) is not true)
        {
            return null;
        }

        switch (await IsWithinAsync(patroni, api, 0, cancellationToken))
        {
            case null:
                return null;
            case true:
                return new Searched(null);
        }

        long below = 0;
        var above = FirstProbe;
        while (true)
        {
            var within = await IsWithinAsync(patroni, api, above, cancellationToken);
            if (within is null)
            {
                return null;
            }

            if (within.Value)
            {
                break;
            }

            below = above;
            if (above >= LargestProbe)
            {
                return new Searched(below);
            }

            above *= 8;
        }

        while (above - below > Precision)
        {
            var middle = below + ((above - below) / 2);
            var within = await IsWithinAsync(patroni, api, middle, cancellationToken);
            if (within is null)
            {
                return null;
            }

            if (within.Value)
            {
                above = middle;
            }
            else
            {
                below = middle;
            }
        }

        return new Searched(below);
    }

    private static async Task<bool?> IsWithinAsync(IPatroniClient patroni, Uri api, long? lag, CancellationToken cancellationToken)
    {
        var answer = await patroni.GetReplicaCheckAsync(api, lag, cancellationToken);
        return answer.StatusCode switch
        {
            200 => true,
            503 => false,
            _ => null,
        };
    }

    private sealed record Searched(long? AboveAtLeast);
}
