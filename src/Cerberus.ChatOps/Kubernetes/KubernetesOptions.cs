namespace Cerberus.ChatOps.Kubernetes;

/// <summary><c>Cerberus:Kubernetes</c>: where the runbook's objects live and how the bot talks to the API server.</summary>
internal sealed class KubernetesOptions
{
    public const string Section = "Cerberus:Kubernetes";

    /// <summary>
    /// null (not set): on when running in a cluster (in-cluster service account), off otherwise; true: on, using
    /// KUBECONFIG or ~/.kube/config (or <see cref="Host"/>); false: off, probes answer UNKNOWN and scaling is not offered.
    /// </summary>
    public bool? Enabled { get; set; }

    public string Namespace { get; set; } = "cerberus";

    public string PostgresPrimaryDeployment { get; set; } = "postgres-primary";

    public string PostgresReplicaDeployment { get; set; } = "postgres-replica";

    public string BackendDeployment { get; set; } = "cerberus-backend";

    /// <summary>The PostgreSQL container of the postgres pods (logs, exec df).</summary>
    public string PostgresContainer { get; set; } = "postgres";

    /// <summary>Label selector of the Patroni cluster's pods (Patroni's scope label); the <c>role</c> label says master/replica.</summary>
    public string PatroniClusterLabel { get; set; } = "cluster-name=cerberus-cluster";

    /// <summary>
    /// Optional API server URL used instead of the kubeconfig / in-cluster server, without credentials
    /// (<c>kubectl proxy</c> at http://127.0.0.1:8001, or a test's fake server).
    /// </summary>
    public string? Host { get; set; }

    /// <summary>Timeout of one API call (KubernetesClient's default is 100 s; a hung API server must not hang a probe).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Exec <c>df</c> in the postgres pod for the free space of the data volume. Needs <c>pods/exec</c> (create, get),
    /// the riskiest grant the bot can hold; off by default.
    /// </summary>
    public bool ExecDiskProbe { get; set; }

    /// <summary>
    /// Fence a stale primary by deleting its pod (the action <c>propose fence</c>). Needs <c>pods</c> <c>delete</c>, which
    /// the base Role does not grant: the optional component <c>manifests/components/fence-stale-primary</c> adds both the
    /// rule and this setting. Off by default; when off, the action says what to run by hand.
    /// </summary>
    public bool FencePods { get; set; }

    /// <summary>
    /// The grace period of the fencing delete (<c>gracePeriodSeconds</c>, whole seconds): short, so a stale primary
    /// stops taking writes within seconds (the kubelet sends SIGTERM, then SIGKILL when it has passed).
    /// </summary>
    public TimeSpan FenceGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A Prometheus (or Thanos / Mimir) HTTP API base URL that scrapes the kubelets, e.g.
    /// <c>http://prometheus-operated.monitoring:9090</c>: free space comes from <c>kubelet_volume_stats_*</c> for the
    /// data volume's PVC. No Kubernetes grant at all; the safest source of free space. Empty = not used.
    /// </summary>
    public string? PrometheusUrl { get; set; }

    /// <summary>
    /// Extra PromQL label matchers added to every <c>kubelet_volume_stats_*</c> selector, e.g. <c>cluster="prod-eu"</c>
    /// when one Prometheus holds several clusters. Empty = only namespace and persistentvolumeclaim.
    /// </summary>
    public string? PrometheusSelector { get; set; }

    /// <summary>A bearer token for <see cref="PrometheusUrl"/> (a secret; from the environment only), sent as Authorization.</summary>
    public string? PrometheusBearerToken { get; set; }

    /// <summary>Timeout of one Prometheus query.</summary>
    public TimeSpan PrometheusTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Read the data volume's free space from the kubelet Summary API through the API server
    /// (<c>GET /api/v1/nodes/{node}/proxy/stats/summary</c>). Needs the cluster-scoped <c>nodes/proxy get</c>, which
    /// reaches every kubelet endpoint of every node, exec included (see docs/kubernetes.md); off by default.
    /// </summary>
    public bool KubeletVolumeStats { get; set; }

    /// <summary>How long a PVC expansion may take until <c>status.capacity.storage</c> reaches the new request.</summary>
    public TimeSpan VolumeResizeTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the PVC is read while an expansion is followed.</summary>
    public TimeSpan VolumeResizePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest expansion the bot proposes, as a multiple of the current capacity (a typo guard: 200Ti for 200Gi).</summary>
    public double MaxVolumeGrowthFactor { get; set; } = 10;

    /// <summary>The data volume's mount point inside the postgres container.</summary>
    public string DataPath { get; set; } = "/var/lib/postgresql";

    /// <summary>How long a scale-down or scale-up may take until its pods are gone or available.</summary>
    public TimeSpan RolloutTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the rollout is polled while waiting.</summary>
    public TimeSpan RolloutPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How far back Warning events are reported.</summary>
    public TimeSpan EventWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Timeout of the Kubernetes and volume probes as a whole.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(12);
}
