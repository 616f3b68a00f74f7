namespace Cerberus.ChatOps.Actions;

/// <summary><c>Cerberus:Cleanup</c>: the audit-log retention clean-up.</summary>
internal sealed class CleanupOptions
{
    public const string Section = "Cerberus:Cleanup";

    /// <summary>Schema-qualified table (default audit.logs); validated as identifiers and quoted.</summary>
    public string Table { get; set; } = "audit.logs";

    /// <summary>The timestamp column the retention applies to (default created_at).</summary>
    public string TimestampColumn { get; set; } = "created_at";

    /// <summary>Rows newer than this many days are never deleted (default 90).</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>Rows per DELETE transaction (default 10 000).</summary>
    public int BatchSize { get; set; } = 10_000;

    /// <summary><c>SET LOCAL statement_timeout</c> of each batch (default 30 s).</summary>
    public TimeSpan BatchStatementTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause while any standby has more unflushed WAL than this (pg_stat_replication; default 64 MiB).</summary>
    public long MaxUnflushedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Only when the free space of the data volume is unknown (no exec df): pause while pg_wal holds more than this
    /// (pg_ls_waldir; default 2 GiB). With free space measured, the floor below bounds the run instead.
    /// </summary>
    public long MaxWalBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// The free-space floor is max(<see cref="FreeSpaceFloorWalMultiple"/> × max_wal_size,
    /// <see cref="FreeSpaceFloorPercent"/> % of the volume): the clean-up refuses to start, and pauses, while free space
    /// minus the floor is less than the WAL its next step can write. Default 2 (× max_wal_size).
    /// </summary>
    public double FreeSpaceFloorWalMultiple { get; set; } = 2;

    /// <summary>The percentage of the data volume in the free-space floor (default 5 %).</summary>
    public double FreeSpaceFloorPercent { get; set; } = 5;

    /// <summary>
    /// <c>SET LOCAL statement_timeout</c> of the preview's index-bounded count (default 2 s); past it the card shows the
    /// planner's estimate instead.
    /// </summary>
    public TimeSpan PreviewStatementTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait between checks while paused (default 5 s).</summary>
    public TimeSpan PauseInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Give up (resumable) after being paused this long in one stretch (default 10 min).</summary>
    public TimeSpan MaxPause { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Command timeout of VACUUM (default 1 h).</summary>
    public TimeSpan VacuumTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>SET lock_timeout</c> before VACUUM FULL (default 5 s).</summary>
    public TimeSpan VacuumFullLockTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
