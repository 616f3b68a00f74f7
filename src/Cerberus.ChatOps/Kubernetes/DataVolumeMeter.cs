namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// Measures the free space of the leader's data volume, for the volume probe and the clean-up's free-space floor alike,
/// from the first configured source that answers, freshest first: <c>df</c> through pods/exec (<c>ExecDiskProbe</c>),
/// the kubelet Summary API through the API server (<c>KubeletVolumeStats</c>, nodes/proxy), and the kubelet's
/// <c>kubelet_volume_stats_*</c> in Prometheus (<c>PrometheusUrl</c>, no grant). The last two need no exec and keep
/// answering while PostgreSQL PANICs and its container restarts. Any failure is "free space unknown" with the reason,
/// never an exception and never a number made up.
/// </summary>
internal sealed partial class DataVolumeMeter
{
    public const string NoSourceReason =
        "no source of free space is configured (Cerberus__Kubernetes__PrometheusUrl for kubelet_volume_stats_*, no grant; "
        + "Cerberus__Kubernetes__KubeletVolumeStats=true, nodes/proxy; or Cerberus__Kubernetes__ExecDiskProbe=true, pods/exec; see docs/kubernetes.md)";

    private readonly KubernetesAccess _access;
    private readonly TimeProvider _time;
    private readonly ILogger<DataVolumeMeter> _logger;
    private readonly IReadOnlyList<IVolumeStatsSource> _sources;

    public DataVolumeMeter(KubernetesAccess access, IHttpClientFactory httpClients, TimeProvider time, ILogger<DataVolumeMeter> logger)
    {
        ArgumentNullException.ThrowIfNull(access);
        _access = access;
        _time = time;
        _logger = logger;
        _sources =
        [
            new ExecDfVolumeSource(access.Options, logger),
            new KubeletSummaryVolumeSource(access.Options),
            new PrometheusVolumeSource(access.Options, httpClients, time, logger),
        ];
    }

    public KubernetesOptions Options => _access.Options;

    /// <summary>The sources the configuration turned on, in the order they are tried.</summary>
    public IReadOnlyList<string> EnabledSources => _sources.Where(s => s.Enabled).Select(s => s.Name).ToList();

    /// <summary>
    /// Finds the leader's pod and data volume and asks the enabled sources in turn. Cancellation by
    /// <paramref name="cancellationToken"/> propagates; everything else is in the answer.
    /// </summary>
    public async Task<VolumeMeasurement> MeasureAsync(CancellationToken cancellationToken)
    {
        if (!_access.TryGetClient(out var client, out var reason))
        {
            return VolumeMeasurement.Failed(reason);
        }

        IReadOnlyList<PostgresPod> pods;
        try
        {
            pods = await PostgresPods.FindAsync(client, Options, cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            Log.Failed(_logger, "listing the postgres pods", ex.GetType().Name);
            return VolumeMeasurement.Failed($"listing the postgres pods: {KubernetesErrors.Describe(ex, "pods list")}");
        }

        if (PostgresPods.Leader(pods) is not { } pod)
        {
            return VolumeMeasurement.Failed($"no postgres pod found (label {Options.PatroniClusterLabel})") with { Pods = pods };
        }

        var volume = DataVolume.Of(pod.Pod, Options);
        var attempts = new List<VolumeSourceResult>();
        foreach (var source in _sources.Where(s => s.Enabled))
        {
            var result = await source.ReadAsync(client, pod, volume, cancellationToken);
            attempts.Add(result);
            if (result.Stats is { } stats)
            {
                Log.Measured(_logger, source.Name, pod.Name, stats.AvailableBytes);
                return new VolumeMeasurement(pod, pods, volume, stats, attempts, null);
            }

            Log.SourceFailed(_logger, source.Name, pod.Name);
        }

        return new VolumeMeasurement(pod, pods, volume, null, attempts, null);
    }

    /// <summary>The clean-up's free space: <see cref="MeasureAsync"/> within the probe budget, as a <see cref="FreeSpace"/>.</summary>
    public async Task<FreeSpace> MeasureLeaderAsync(CancellationToken cancellationToken)
    {
        var where = $"data volume {Options.DataPath}";
        using var timeout = new CancellationTokenSource(Options.ProbeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var measured = await MeasureAsync(linked.Token);
            if (measured.Pod is { } pod && measured.Volume is { } volume)
            {
                where = $"{volume.Describe(pod.Name, Options.DataPath)} of pod {pod.Name}";
            }

            return measured.Stats is { } stats
                ? new FreeSpace(stats.AvailableBytes, stats.TotalBytes, stats.Source, null)
                : FreeSpace.Unknown(where, measured.UnknownReason);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return FreeSpace.Unknown(where, $"no answer within {Options.ProbeTimeout.TotalSeconds:0.#} s");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Free space: {Source} measured pod {Pod}: {AvailableBytes} bytes available")]
        public static partial void Measured(ILogger logger, string source, string pod, long availableBytes);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Free space: {Step} failed ({Error})")]
        public static partial void Failed(ILogger logger, string step, string error);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Free space: {Source} could not measure pod {Pod}")]
        public static partial void SourceFailed(ILogger logger, string source, string pod);
    }
}
