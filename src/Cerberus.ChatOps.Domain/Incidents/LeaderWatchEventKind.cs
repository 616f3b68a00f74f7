namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>What the leader watch saw (each is posted once, in the thread and the header).</summary>
public enum LeaderWatchEventKind
{
    /// <summary>The leader key moved to a member that did not lead before: the watch starts (or goes on).</summary>
    LeaderChanged,

    /// <summary>A former leader holds the leader key again, or the key holder runs on a timeline behind /history's newest.</summary>
    FlipBack,

    /// <summary>A member other than the key holder answers as a primary: two servers may take writes.</summary>
    StalePrimary,

    /// <summary>A member the watch alarmed about is back as a running replica on the leader's timeline.</summary>
    Rejoined,
}
