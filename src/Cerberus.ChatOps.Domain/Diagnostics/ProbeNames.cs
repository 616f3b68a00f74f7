namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>The probes' names, as results carry them and messages show them.</summary>
public static class ProbeNames
{
    /// <summary>The runbook's pg_isready: refused, hung, auth failure and too-many-clients told apart.</summary>
    public const string Connectivity = "connectivity";

    /// <summary>pg_stat_activity: saturation, idle in transaction, lock waiters, longest transaction, offenders.</summary>
    public const string Connections = "connections";

    /// <summary>Patroni /cluster and /patroni from every member.</summary>
    public const string Patroni = "patroni";

    /// <summary>pg_stat_replication byte lags, slots, the archiver.</summary>
    public const string Replication = "replication";

    /// <summary>WAL size, database sizes, the largest relations (SQL side).</summary>
    public const string Disk = "disk";

    /// <summary>Transaction-ID wraparound: age(datfrozenxid), the oldest relfrozenxid tables, what holds the xmin horizon.</summary>
    public const string Wraparound = "wraparound";

    /// <summary>Free space of the data volume from the Kubernetes side (exec df), growth and time to full.</summary>
    public const string Volume = "volume";

    /// <summary>Pods, restarts, readiness, events, and the postgres pod's log scanned for error signatures.</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>The application's health URL: status and latency.</summary>
    public const string App = "app";

    /// <summary>Every probe, in the order the findings show them.</summary>
    public static IReadOnlyList<string> All { get; } = [Connectivity, Connections, Patroni, Replication, Disk, Wraparound, Volume, Kubernetes, App];
}
