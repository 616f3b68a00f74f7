namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>One thing the leader watch saw and posted (once: <see cref="Key"/> is never posted twice).</summary>
/// <param name="At">When it was seen.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Key">Its identity, e.g. <c>stale:pg1:pg2:4</c>.</param>
/// <param name="Leader">The member holding the leader key then.</param>
/// <param name="LeaderTimeline">The key holder's timeline then.</param>
/// <param name="Member">The member it is about: the former leader, the stale primary, the rejoined member (the key holder for a flip-back).</param>
/// <param name="Text">One plain sentence for the timeline (no markup, no secrets).</param>
/// <param name="PatroniVersion">Patroni's version as <c>/patroni</c> reported it, null when unknown.</param>
public sealed record LeaderWatchEvent(
    DateTimeOffset At,
    LeaderWatchEventKind Kind,
    string Key,
    string Leader,
    int? LeaderTimeline,
    string Member,
    string Text,
    string? PatroniVersion)
{
    /// <summary>A flip-back or a stale primary: the thread and the header call for action.</summary>
    public bool IsAlarm => Kind is LeaderWatchEventKind.FlipBack or LeaderWatchEventKind.StalePrimary;
}
