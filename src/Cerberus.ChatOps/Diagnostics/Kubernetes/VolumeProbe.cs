using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using k8s;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>
/// The runbook's <c>df -h /var/lib/postgresql</c>, without needing SQL: the leader's data volume measured by
/// <see cref="DataVolumeMeter"/> (exec df, the kubelet Summary API, or kubelet_volume_stats in Prometheus, whichever is
/// configured and answers first). Without any, the PVC's capacity only, and UNKNOWN free space, saying how to measure
/// it. Thresholds 80 % WARN, 90 % CRIT, 95 % page; time to full under the 4 h RTO is CRIT.
/// </summary>
internal sealed partial class VolumeProbe(KubernetesAccess access, DataVolumeMeter meter, VolumeSampleStore samples, TimeProvider time, ILogger<VolumeProbe> logger)
    : IDiagnosticProbe
{
    public const double WarnPercent = 80;
    public const double CritPercent = 90;
    public const double PagePercent = 95;

    /// <summary>The runbook's RTO: a volume that fills up sooner than this is critical now.</summary>
    public static readonly TimeSpan Rto = TimeSpan.FromHours(4);

    private const string HowTo =
        "set Cerberus__Kubernetes__PrometheusUrl (kubelet_volume_stats_*, no grant), Cerberus__Kubernetes__KubeletVolumeStats=true (nodes/proxy) "
        + "or Cerberus__Kubernetes__ExecDiskProbe=true (grants pods/exec); see docs/kubernetes.md";

    private readonly KubernetesOptions _options = access.Options;

    public string Name => ProbeNames.Volume;

    public TimeSpan Timeout => _options.ProbeTimeout;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (!access.TryGetClient(out var client, out var reason))
        {
            return ProbeResult.Of(Name, ProbeStatus.Unknown, reason, time.GetElapsedTime(started));
        }

        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var findings = new ProbeFindings(Name);
        var step = "measuring the data volume";
        try
        {
            var measured = await meter.MeasureAsync(linked.Token);
            if (measured.Problem is { } problem)
            {
                findings.Raise(ProbeStatus.Unknown);
                findings.Summary(measured.Pods.Count == 0 && problem.StartsWith("no postgres pod", StringComparison.Ordinal)
                    ? $"{problem}, so the data volume cannot be measured"
                    : problem);
                return findings.ToResult(time.GetElapsedTime(started));
            }

            var pod = measured.Pod!;
            var volume = measured.Volume!;
            foreach (var attempt in measured.Attempts)
            {
                findings.Details.AddRange(attempt.Notes);
                if (attempt.Problem is { } failed)
                {
                    findings.Details.Add($"{attempt.Source}: {failed}");
                }
            }

            if (measured.Stats is { } stats)
            {
                Report(findings, volume.Describe(pod.Name, _options.DataPath), stats);
            }
            else
            {
                step = $"reading the PVC of {pod.Name}";
                await ReportCapacityAsync(client, findings, pod, volume, measured, linked.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"{step}: no answer within {Durations.Format(Timeout)}");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, linked.Token))
        {
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"{step}: {KubernetesErrors.Describe(ex, "persistentvolumeclaims get")}");
            Log.Failed(logger, step, ex.GetType().Name);
        }
        catch (OperationCanceledException)
        {
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"{step}: cancelled");
        }

        return findings.ToResult(time.GetElapsedTime(started));
    }

    private void Report(ProbeFindings findings, string volume, VolumeStats stats)
    {
        var pct = stats.UsedPercent;
        findings.Facts[FactKeys.DiskUsedPercent] = pct.ToString("0.0", CultureInfo.InvariantCulture);
        findings.Facts[FactKeys.DiskFreeBytes] = stats.AvailableBytes.ToString(CultureInfo.InvariantCulture);
        findings.Facts[KubernetesFactKeys.VolumeCapacityBytes] = stats.TotalBytes.ToString(CultureInfo.InvariantCulture);
        findings.Facts[KubernetesFactKeys.VolumeSource] = stats.Source;
        findings.Raise(StatusOf(pct));
        findings.Summary($"{volume} {pct:0.0} % used, {ByteSize.Format(stats.AvailableBytes)} free of {ByteSize.Format(stats.TotalBytes)}{(pct >= PagePercent ? " (page: ≥ 95 %)" : string.Empty)}");
        findings.Details.Add($"measured by {stats.Source}: used {ByteSize.Format(stats.UsedBytes)}, available {ByteSize.Format(stats.AvailableBytes)}");

        var sampledAt = stats.SampledAt ?? time.GetUtcNow();
        var growth = samples.Add(volume, new VolumeSample(sampledAt, stats.UsedBytes, stats.AvailableBytes));
        if (stats.GrowthBytesPerHour is { } rate)
        {
            // The source's own slope over 30 min (Prometheus deriv) is better than two samples of this process.
            TimeSpan? toFull = rate > 0 ? TimeSpan.FromHours(Math.Min(stats.AvailableBytes / rate, VolumeSampleStore.MaxHours)) : null;
            growth = new VolumeGrowth(TimeSpan.FromMinutes(30), rate, toFull);
        }

        if (growth is null)
        {
            findings.Details.Add("growth: one sample so far; time to full is estimated from the next run on");
        }
        else
        {
            findings.Facts[KubernetesFactKeys.GrowthBytesPerHour] = growth.BytesPerHour.ToString("0", CultureInfo.InvariantCulture);
            if (growth.TimeToFull is { } toFull)
            {
                findings.Facts[KubernetesFactKeys.HoursToFull] = toFull.TotalHours.ToString("0.0", CultureInfo.InvariantCulture);
                findings.Summary($"growing {ByteSize.Format((long)growth.BytesPerHour)}/h over the last {Durations.Format(growth.Over)}: full in about {Durations.Format(toFull)}");
                if (toFull < Rto)
                {
                    findings.Raise(ProbeStatus.Crit);
                    findings.Details.Add($"time to full {Durations.Format(toFull)} is under the RTO of {Durations.Format(Rto)}");
                }
            }
            else
            {
                findings.Details.Add($"growth: none over the last {Durations.Format(growth.Over)} ({ByteSize.Format((long)growth.BytesPerHour)}/h)");
            }
        }

        if (stats.InodesUsedPercent is { } ipct)
        {
            findings.Facts[KubernetesFactKeys.InodesUsedPercent] = ipct.ToString("0.0", CultureInfo.InvariantCulture);
            findings.Details.Add($"inodes: {ipct:0.0} % used ({stats.InodesFree!.Value.ToString(CultureInfo.InvariantCulture)} free)");
            if (StatusOf(ipct) != ProbeStatus.Ok)
            {
                findings.Raise(StatusOf(ipct));
                findings.Summary($"inodes {ipct:0.0} % used");
            }
        }
    }

    private async Task ReportCapacityAsync(IKubernetes client, ProbeFindings findings, PostgresPod pod, DataVolume volume, VolumeMeasurement measured, CancellationToken cancellationToken)
    {
        findings.Raise(ProbeStatus.Unknown);
        var why = measured.Attempts.Count == 0 ? $"free space unknown without exec or volume stats: {{0}}; {HowTo}" : $"free space unknown ({measured.UnknownReason}): {{0}}";
        if (volume.Claim is not { } claim)
        {
            findings.Summary(string.Format(CultureInfo.InvariantCulture, why, $"pod {pod.Name} mounts no PVC at {_options.DataPath}"));
            return;
        }

        var pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claim, _options.Namespace, cancellationToken: cancellationToken);
        var capacity = pvc.Status?.Capacity is { } c && c.TryGetValue("storage", out var q) ? q : null;
        if (capacity is not null)
        {
            findings.Facts[KubernetesFactKeys.VolumeCapacityBytes] = capacity.ToInt64().ToString(CultureInfo.InvariantCulture);
        }

        findings.Summary(string.Format(CultureInfo.InvariantCulture, why, $"pvc/{claim} of {pod.Name} has a capacity of {capacity?.ToString() ?? "?"}"));
        if (pvc.Spec?.StorageClassName is { } storageClass)
        {
            findings.Details.Add($"pvc/{claim}: storage class {storageClass}, phase {pvc.Status?.Phase}");
        }
    }

    private static ProbeStatus StatusOf(double usedPercent) =>
        usedPercent >= CritPercent ? ProbeStatus.Crit : usedPercent >= WarnPercent ? ProbeStatus.Warn : ProbeStatus.Ok;

    private static partial class Log
    {
        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Volume probe: {Step} failed ({Error})")]
        public static partial void Failed(ILogger logger, string step, string error);
    }
}
