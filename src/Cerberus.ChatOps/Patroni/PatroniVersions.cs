namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// Patroni's stale-primary bug, by version. Checked against Patroni's source: <c>ha.py</c> <c>is_healthiest_node</c>
/// in 3.0.2 answers true for any running primary outside pause (<c>if self.state_handler.is_leader(): return not
/// self.is_paused() or ...</c>), with no timeline check; commit 01976ec1 "Don't allow stale primary to win the leader
/// race" (PR #2787, closes issue #2779, released in 3.1.0 — not in 3.0.3 or 3.0.4, docs/releases.rst) adds one: a
/// primary whose timeline is behind the cluster's timeline in <c>/history</c> is not the healthiest node and is demoted.
/// </summary>
internal static class PatroniVersions
{
    /// <summary>The first release with the timeline check.</summary>
    public static readonly Version StalePrimaryFixed = new(3, 1, 0);

    public static Version? Parse(string? version)
    {
        if (string.IsNullOrWhiteSpace(version))
        {
            return null;
        }

        // "3.0.2", "3.1.0.dev0", "4.0.0rc1": the leading numeric parts.
        var parts = version.Split('.').Take(3).Select(p => new string(p.TakeWhile(char.IsAsciiDigit).ToArray())).ToList();
        return parts.Count >= 2 && parts.All(p => p.Length > 0)
            ? new Version(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
                parts.Count > 2 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : 0)
            : null;
    }

    /// <summary>True when <paramref name="version"/> is older than 3.1.0 (false when unknown: <see cref="StalePrimaryBug"/> says so then).</summary>
    public static bool HasStalePrimaryBug(string? version) => Parse(version) is { } v && v < StalePrimaryFixed;

    /// <summary>One sentence naming the bug for this version: that it applies, that it does not, or that the version is unknown.</summary>
    public static string StalePrimaryBug(string? version)
    {
        const string Bug =
            "a primary whose Patroni stalled until its leader lock expired wakes up, finds PostgreSQL still running as a primary and no leader key, counts itself the healthiest node " +
            "(ha.py is_healthiest_node checks no timeline) and takes the lock back on its old timeline: the promotion made meanwhile is discarded, the writes the promoted member took are no longer on the leader, " +
            "and that member cannot be rejoined with pg_rewind";
        const string Fix = "fixed in Patroni 3.1.0 (PR #2787, issue #2779: a primary whose timeline is behind /history's is demoted instead; /history is written only after a promotion, so a short window remains)";
        if (Parse(version) is not { } v)
        {
            return $"Patroni's version is unknown (no /patroni answered): if it is older than 3.1.0 it has the stale-primary bug — {Bug}; {Fix}.";
        }

        return v < StalePrimaryFixed
            ? $"Patroni {version} has the stale-primary bug: {Bug}; {Fix}."
            : $"Patroni {version} has the 3.1.0 timeline check against the stale-primary race (PR #2787): a primary behind /history's timeline is demoted, except in the short window before /history is written.";
    }
}
