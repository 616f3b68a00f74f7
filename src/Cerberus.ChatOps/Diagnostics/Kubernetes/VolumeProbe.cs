using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using k8s;
using k8s.Models;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>
/// The runbook's <c>df -h /var/lib/postgresql</c>. With <c>ExecDiskProbe</c>: exec <c>df -P -B1</c> and <c>df -P -i</c>
/// in the leader's postgres container (needs pods/exec). Without: the PVC's capacity only, and UNKNOWN free space,
/// saying how to enable the exec. Thresholds 80 % WARN, 90 % CRIT, 95 % page; time to full under the 4 h RTO is CRIT.
/// </summary>
internal sealed partial class VolumeProbe(KubernetesAccess access, VolumeSampleStore samples, TimeProvider time, ILogger<VolumeProbe> logger)
    : IDiagnosticProbe
{
    public const double WarnPercent = 80;
    public const double CritPercent = 90;
    public const double PagePercent = 95;

    /// <summary>The runbook's RTO: a volume that fills up sooner than this is critical now.</summary>
    public static readonly TimeSpan Rto = TimeSpan.FromHours(4);

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
        var step = "listing the postgres pods";
        try
        {
            var pods = await PostgresPods.FindAsync(client, _options, linked.Token);
            if (PostgresPods.Leader(pods) is not { } pod)
            {
                findings.Raise(ProbeStatus.Unknown);
                findings.Summary($"no postgres pod found (label {_options.PatroniClusterLabel}), so the data volume cannot be measured");
                return findings.ToResult(time.GetElapsedTime(started));
            }

            var claim = DataClaimOf(pod.Pod);
            if (_options.ExecDiskProbe)
            {
                step = $"exec df in {pod.Name}";
                await MeasureByExecAsync(client, findings, pod, claim, linked.Token);
            }
            else
            {
                step = $"reading the PVC of {pod.Name}";
                await ReportCapacityAsync(client, findings, pod, claim, linked.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"{step}: no answer within {Durations.Format(Timeout)}");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, linked.Token))
        {
            var grant = _options.ExecDiskProbe && step.StartsWith("exec", StringComparison.Ordinal) ? "pods/exec create and get" : "pods list, persistentvolumeclaims get";
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"{step}: {KubernetesErrors.Describe(ex, grant)}");
            Log.Failed(logger, step, ex.GetType().Name);
        }
        catch (OperationCanceledException)
        {
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"{step}: cancelled");
        }

        return findings.ToResult(time.GetElapsedTime(started));
    }

    private async Task MeasureByExecAsync(IKubernetes client, ProbeFindings findings, PostgresPod pod, string? claim, CancellationToken cancellationToken)
    {
        var container = ContainerOf(pod.Pod);
        var (exit, stdout, stderr) = await ExecAsync(client, pod.Name, container, ["df", "-P", "-B1", _options.DataPath], cancellationToken);
        var usage = exit == 0 ? DfParser.Parse(stdout) : null;
        if (usage is null)
        {
            findings.Raise(ProbeStatus.Unknown);
            findings.Summary($"df -P -B1 {_options.DataPath} in {pod.Name} {(exit == 0 ? "printed nothing that parses" : $"exited with {exit}")}");
            if (!string.IsNullOrWhiteSpace(stderr))
            {
                findings.Details.Add("stderr: " + SecretRedactor.Redact(stderr.Trim()));
            }

            return;
        }

        var pct = usage.UsedPercent;
        findings.Facts[FactKeys.DiskUsedPercent] = pct.ToString("0.0", CultureInfo.InvariantCulture);
        findings.Facts[FactKeys.DiskFreeBytes] = usage.Available.ToString(CultureInfo.InvariantCulture);
        findings.Raise(StatusOf(pct));
        var volume = claim is null ? $"{pod.Name}:{_options.DataPath}" : $"pvc/{claim}";
        findings.Summary($"{volume} {pct:0.0} % used, {ByteSize.Format((long)(usage.Available))} free of {ByteSize.Format((long)(usage.Total))}{(pct >= PagePercent ? " (page: ≥ 95 %)" : string.Empty)}");
        findings.Details.Add($"df {usage.Filesystem} on {usage.MountedOn} in pod {pod.Name}: used {ByteSize.Format((long)(usage.Used))}, available {ByteSize.Format((long)(usage.Available))}");

        var growth = samples.Add(volume, new VolumeSample(time.GetUtcNow(), usage.Used, usage.Available));
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
                findings.Summary($"growing {ByteSize.Format((long)(growth.BytesPerHour))}/h over the last {Durations.Format(growth.Over)}: full in about {Durations.Format(toFull)}");
                if (toFull < Rto)
                {
                    findings.Raise(ProbeStatus.Crit);
                    findings.Details.Add($"time to full {Durations.Format(toFull)} is under the RTO of {Durations.Format(Rto)}");
                }
            }
            else
            {
                findings.Details.Add($"growth: none over the last {Durations.Format(growth.Over)} ({ByteSize.Format((long)(growth.BytesPerHour))}/h)");
            }
        }

        var (iexit, iout, _) = await ExecAsync(client, pod.Name, container, ["df", "-P", "-i", _options.DataPath], cancellationToken);
        if (iexit == 0 && DfParser.Parse(iout) is { Total: > 0 } inodes)
        {
            var ipct = inodes.UsedPercent;
            findings.Facts[KubernetesFactKeys.InodesUsedPercent] = ipct.ToString("0.0", CultureInfo.InvariantCulture);
            findings.Details.Add($"inodes: {ipct:0.0} % used ({inodes.Available.ToString(CultureInfo.InvariantCulture)} free)");
            if (StatusOf(ipct) != ProbeStatus.Ok)
            {
                findings.Raise(StatusOf(ipct));
                findings.Summary($"inodes {ipct:0.0} % used");
            }
        }
    }

    private async Task ReportCapacityAsync(IKubernetes client, ProbeFindings findings, PostgresPod pod, string? claim, CancellationToken cancellationToken)
    {
        findings.Raise(ProbeStatus.Unknown);
        const string HowTo = "set Cerberus__Kubernetes__ExecDiskProbe=true (grants pods/exec, see docs/kubernetes.md) or read kubelet_volume_stats_available_bytes from Prometheus";
        if (claim is null)
        {
            findings.Summary($"free space unknown without exec: pod {pod.Name} mounts no PVC at {_options.DataPath}; {HowTo}");
            return;
        }

        var pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claim, _options.Namespace, cancellationToken: cancellationToken);
        var capacity = pvc.Status?.Capacity is { } c && c.TryGetValue("storage", out var q) ? q : null;
        if (capacity is not null)
        {
            findings.Facts[KubernetesFactKeys.VolumeCapacityBytes] = capacity.ToInt64().ToString(CultureInfo.InvariantCulture);
        }

        findings.Summary($"free space unknown without exec: pvc/{claim} of {pod.Name} has a capacity of {capacity?.ToString() ?? "?"}; {HowTo}");
        if (pvc.Spec?.StorageClassName is { } storageClass)
        {
            findings.Details.Add($"pvc/{claim}: storage class {storageClass}, phase {pvc.Status?.Phase}");
        }
    }

    private static ProbeStatus StatusOf(double usedPercent) =>
        usedPercent >= CritPercent ? ProbeStatus.Crit : usedPercent >= WarnPercent ? ProbeStatus.Warn : ProbeStatus.Ok;

    private async Task<(int Exit, string Stdout, string Stderr)> ExecAsync(
        IKubernetes client, string pod, string? container, string[] command, CancellationToken cancellationToken)
    {
        var (exit, stdout, stderr) = await PodExec.RunAsync(client, _options.Namespace, pod, container, command, cancellationToken);
        Log.Exec(logger, pod, string.Join(' ', command), exit);
        return (exit, stdout, stderr);
    }

    /// <summary>The PVC mounted at (or above) the data path in the postgres container, else the pod's only PVC.</summary>
    private string? DataClaimOf(V1Pod pod)
    {
        var claims = (pod.Spec?.Volumes ?? [])
            .Where(v => v.PersistentVolumeClaim is not null)
            .ToDictionary(v => v.Name, v => v.PersistentVolumeClaim.ClaimName, StringComparer.Ordinal);
        var container = pod.Spec?.Containers?.FirstOrDefault(c => string.Equals(c.Name, ContainerOf(pod), StringComparison.Ordinal));
        var mount = (container?.VolumeMounts ?? [])
            .Where(m => claims.ContainsKey(m.Name) && (_options.DataPath.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal)
                || string.Equals(m.MountPath.TrimEnd('/'), _options.DataPath.TrimEnd('/'), StringComparison.Ordinal)
                || m.MountPath.StartsWith(_options.DataPath.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .OrderByDescending(m => m.MountPath.Length)
            .FirstOrDefault();
        if (mount is not null)
        {
            return claims[mount.Name];
        }

        return claims.Count == 1 ? claims.Values.Single() : null;
    }

    private string? ContainerOf(V1Pod pod) => PostgresPods.ContainerOf(pod, _options.PostgresContainer);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Volume probe: exec {Command} in pod {Pod} exited with {ExitCode}")]
        public static partial void Exec(ILogger logger, string pod, string command, int exitCode);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Volume probe: {Step} failed ({Error})")]
        public static partial void Failed(ILogger logger, string step, string error);
    }
}
