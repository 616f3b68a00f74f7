namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>How the member to fence answers.</summary>
internal enum FenceTargetState
{
    /// <summary>It runs as a primary without the leader key (its /patroni says master, or its PostgreSQL is not in recovery).</summary>
    Primary,

    /// <summary>Neither its /patroni nor its PostgreSQL answers: hung or dead, and a hung one can resume as a primary.</summary>
    Unanswering,

    /// <summary>A replica on another timeline than the leader's: it has not rejoined (diverged, or pg_rewind pending).</summary>
    OldTimeline,

    /// <summary>Not in /cluster any more (its member key expired with its Patroni); its PostgreSQL does not answer as a standby.</summary>
    Absent,

    /// <summary>A running replica on the leader's timeline: nothing to fence.</summary>
    Replica,
}
