namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// <c>Cerberus:Postgres</c>: the monitored database and how long the bot waits for it. The connection string is a
/// secret (environment or a Kubernetes Secret); the bot's role needs only <c>pg_monitor</c> (docs/diagnostics.md).
/// </summary>
internal sealed class PostgresOptions
{
    public const string Section = "Cerberus:Postgres";

    /// <summary>The monitored database (Npgsql syntax). Never logged or posted; the bot overrides its timeouts.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Npgsql <c>Timeout</c>: connect, including the startup handshake a hung server never answers (whole seconds).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Npgsql <c>Command Timeout</c> (whole seconds).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The budget of one database probe, connect and queries together; the runner reports UNKNOWN after it.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Server-side <c>statement_timeout</c> of the bot's sessions.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Server-side <c>lock_timeout</c> of the bot's sessions (it takes no locks; a safety net).</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Client connections over usable slots (max_connections − superuser_reserved_connections) that warn.</summary>
    public double SaturationWarnPercent { get; set; } = 80;

    /// <summary>... and that are critical (connection exhaustion).</summary>
    public double SaturationCritPercent { get; set; } = 95;

    /// <summary>A session idle in transaction longer than this warns (it holds locks and blocks vacuum).</summary>
    public TimeSpan IdleInTransactionWarn { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A lock waiter waiting longer than this warns.</summary>
    public TimeSpan LockWaitWarn { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A transaction open longer than this warns (bloat of audit.logs).</summary>
    public TimeSpan LongTransactionWarn { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>An inactive slot retaining more WAL than this is critical (default 1 GiB); any inactive slot warns.</summary>
    public long SlotRetainedCritBytes { get; set; } = 1L << 30;

    /// <summary>Unflushed bytes of a standby above which Patroni refuses automatic failover (maximum_lag_on_failover).</summary>
    public long FailoverLagBytes { get; set; } = 1L << 20;

    /// <summary>Unreplayed bytes of a standby that warn (64 MiB).</summary>
    public long ReplicaLagWarnBytes { get; set; } = 64L << 20;

    /// <summary>replay_lag above this is critical (15 min): promotion would take at least that long (RTO); data at risk (RPO) is the unflushed bytes.</summary>
    public TimeSpan ReplayLagCrit { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>.ready segments waiting for the archiver that warn.</summary>
    public int ArchiveReadyWarn { get; set; } = 10;

    /// <summary>
    /// age(datfrozenxid) / age(relfrozenxid) from which the wraparound probe warns and VACUUM (FREEZE) is offered;
    /// 0 (default) = the server's autovacuum_freeze_max_age.
    /// </summary>
    public long WraparoundWarnAge { get; set; }

    /// <summary>
    /// Resolve the primary from Patroni's <c>/cluster</c> leader and run the database probes there (with the
    /// configured credentials and database), instead of trusting the configured host to be the primary (default on).
    /// </summary>
    public bool FollowPatroniLeader { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);
}
