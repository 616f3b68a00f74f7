namespace Cerberus.ChatOps.Actions;

/// <summary>
/// <c>Cerberus:Actions</c>: how the remediation actions reach PostgreSQL and how long they wait.
/// The actions write (DELETE, VACUUM, pg_drop_replication_slot, CHECKPOINT), so give them an operator role of their
/// own, separate from the diagnostics' pg_monitor role: <c>Cerberus:Actions:PostgresConnectionString</c>.
/// </summary>
internal sealed class ActionsOptions
{
    public const string Section = "Cerberus:Actions";

    /// <summary>
    /// The operator connection string (a secret: from the environment). Needs DELETE on the audit table, VACUUM
    /// (owner), pg_checkpoint (or superuser), REPLICATION (or superuser) for slot drops, and pg_monitor to watch
    /// WAL and replication. Falls back to <c>Cerberus:Postgres:ConnectionString</c> when empty. Its Host/Port point
    /// at the primary (e.g. Patroni's leader Service); the failover verification reuses its credentials with the
    /// host and port Patroni reports for the new leader.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>The database the failover verification connects to on a Patroni member (default postgres).</summary>
    public string VerifyDatabase { get; set; } = "postgres";

    /// <summary>How long verification waits for the new leader and for the old leader to rejoin (default 60 s).</summary>
    public TimeSpan VerifyDeadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Poll interval while verifying (default 0.5 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Time between the two samples of the leader's WAL position that give the WAL rate (0 = don't sample).</summary>
    public TimeSpan WalRateSampleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Server-side <c>statement_timeout</c> of every action connection (default 60 s), sent at connect time; the steps
    /// that legitimately run longer (a deletion batch, VACUUM, CHECKPOINT) set their own for that statement only.
    /// </summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Server-side <c>lock_timeout</c> of every action connection (default 5 s): no action queues behind a lock for long.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>statement_timeout</c> of one table's VACUUM (FREEZE) (default 1 h).</summary>
    public TimeSpan VacuumFreezeTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a replica rebuild (POST /reinitialize) is watched until the member runs as a replica again (default 2 h;
    /// the copy moves the whole database, so size it to the largest copy you expect). Patroni goes on after it.
    /// </summary>
    public TimeSpan ReinitializeTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Set from <c>Cerberus:DryRun</c>: every proposal is a dry run.</summary>
    public bool DryRun { get; set; }
}
