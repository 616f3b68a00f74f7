namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>Facts the Kubernetes probes add beside the shared <see cref="Domain.Diagnostics.FactKeys"/>.</summary>
internal static class KubernetesFactKeys
{
    /// <summary>Name of the pod the <c>role</c> label marks as leader (master/primary), when one does.</summary>
    public const string LeaderPod = "k8s_leader_pod";

    public const string PostgresPods = "k8s_postgres_pods";
    public const string PostgresReady = "k8s_postgres_ready";

    /// <summary>Container restarts summed over the postgres pods.</summary>
    public const string PostgresRestarts = "k8s_postgres_restarts";

    /// <summary>true when a postgres container is in CrashLoopBackOff.</summary>
    public const string CrashLoop = "k8s_crashloop";

    public const string BackendPods = "k8s_backend_pods";
    public const string BackendReady = "k8s_backend_ready";
    public const string WarningEvents = "k8s_warning_events";

    /// <summary>Capacity of the data volume's PVC in bytes (<c>status.capacity.storage</c>).</summary>
    public const string VolumeCapacityBytes = "k8s_pvc_capacity_bytes";

    public const string InodesUsedPercent = "k8s_inodes_used_pct";

    /// <summary>What measured the free space: exec df, the kubelet Summary API, or Prometheus (with the sample's age).</summary>
    public const string VolumeSource = "k8s_volume_source";

    /// <summary>Growth of the used space in bytes per hour, once two samples exist.</summary>
    public const string GrowthBytesPerHour = "disk_growth_bytes_per_h";

    public const string HoursToFull = "disk_hours_to_full";
}
