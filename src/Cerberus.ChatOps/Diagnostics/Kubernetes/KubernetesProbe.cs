using System.Globalization;
using System.Text;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using k8s;
using k8s.Models;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>
/// The runbook's <c>kubectl logs --tail=100</c>, done the expert way: the postgres pods found by their Patroni labels
/// (roles float), the backend's pods, recent Warning events, and the last 100 log lines of each postgres container
/// (the previous container's too after a restart) scanned for known error signatures. The log API is served by the
/// kubelet, so this works while PostgreSQL hangs.
/// </summary>
internal sealed partial class KubernetesProbe(KubernetesAccess access, TimeProvider time, ILogger<KubernetesProbe> logger) : IDiagnosticProbe
{
    public const int TailLines = 100;
    public const int LimitBytes = 256 * 1024;
    public const int MaxPodsWithLogs = 3;
    public const int MaxMatchLines = 20;
    public const int MaxEventLines = 10;

    private readonly KubernetesOptions _options = access.Options;

    public string Name => ProbeNames.Kubernetes;

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

        var postgres = Section(findings, "postgres pods", "pods list", () => PostgresPods.FindAsync(client, _options, linked.Token), timeout, linked.Token);
        var backend = Section(findings, "backend pods", "deployments get, pods list",
            () => PostgresPods.PodsOfDeploymentAsync(client, _options.Namespace, _options.BackendDeployment, linked.Token), timeout, linked.Token);
        var events = Section(findings, "events", "events list", () => WarningEventsAsync(client, linked.Token), timeout, linked.Token);
        await Task.WhenAll(postgres, backend, events);

        if (await postgres is { } pods)
        {
            ReportPostgres(findings, pods);
            await ScanLogsAsync(client, findings, pods, timeout, linked.Token);
        }

        if (await backend is { } backendPods)
        {
            ReportBackend(findings, backendPods);
        }

        if (await events is { } warnings)
        {
            ReportEvents(findings, warnings);
        }

        var result = findings.ToResult(time.GetElapsedTime(started));
        Log.Finished(logger, result.Status, result.Duration.TotalMilliseconds);
        return result;
    }

    private async Task<T?> Section<T>(ProbeFindings findings, string what, string grant, Func<Task<T>> read, CancellationTokenSource timeout, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Unknown(findings, $"{what}: no answer from the API server within {Durations.Format(Timeout)}");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            Unknown(findings, $"{what}: {KubernetesErrors.Describe(ex, grant)}");
            Log.SectionFailed(logger, what, ex.GetType().Name);
        }
        catch (OperationCanceledException)
        {
            Unknown(findings, $"{what}: cancelled");
        }

        return null;
    }

    private static void Unknown(ProbeFindings findings, string text)
    {
        findings.Raise(ProbeStatus.Unknown);
        findings.Summary(text);
        findings.Details.Add(text);
    }

    private void ReportPostgres(ProbeFindings findings, IReadOnlyList<PostgresPod> pods)
    {
        findings.Facts[KubernetesFactKeys.PostgresPods] = pods.Count.ToString(CultureInfo.InvariantCulture);
        if (pods.Count == 0)
        {
            findings.Raise(ProbeStatus.Crit);
            findings.Summary($"no postgres pods found (label {_options.PatroniClusterLabel}, deployments {_options.PostgresPrimaryDeployment}/{_options.PostgresReplicaDeployment})");
            findings.Facts[KubernetesFactKeys.PostgresReady] = "0";
            return;
        }

        var health = pods.Select(p => (Pod: p, Health: PodHealth.Of(p.Pod, p.Role ?? p.Deployment))).ToList();
        var ready = health.Count(h => h.Health.Ready);
        var restarts = health.Sum(h => h.Health.Restarts);
        var crashLoop = health.Any(h => h.Health.CrashLoop);
        findings.Facts[KubernetesFactKeys.PostgresReady] = ready.ToString(CultureInfo.InvariantCulture);
        findings.Facts[KubernetesFactKeys.PostgresRestarts] = restarts.ToString(CultureInfo.InvariantCulture);
        findings.Facts[KubernetesFactKeys.CrashLoop] = crashLoop ? "true" : "false";
        if (pods.FirstOrDefault(p => p.IsLeader) is { } leader)
        {
            findings.Facts[KubernetesFactKeys.LeaderPod] = leader.Name;
        }

        foreach (var (pod, h) in health)
        {
            findings.Details.Add(h.Describe());
            if (h.CrashLoop || (!h.Ready && pod.IsLeader))
            {
                findings.Raise(ProbeStatus.Crit);
            }
            else if (!h.Ready || h.Restarts > 0 || !string.Equals(h.Phase, "Running", StringComparison.Ordinal))
            {
                findings.Raise(ProbeStatus.Warn);
            }
        }

        var summary = new StringBuilder();
        summary.Append(CultureInfo.InvariantCulture, $"postgres pods {ready}/{pods.Count} ready");
        if (restarts > 0)
        {
            summary.Append(CultureInfo.InvariantCulture, $", {restarts} restarts");
        }

        if (crashLoop)
        {
            summary.Append(", CrashLoopBackOff: ").Append(string.Join(", ", health.Where(h => h.Health.CrashLoop).Select(h => h.Health.Name)));
        }

        if (!pods.Any(p => p.IsLeader))
        {
            summary.Append(", no pod labelled role=master");
        }

        findings.Summary(summary.ToString());
    }

    private void ReportBackend(ProbeFindings findings, IReadOnlyList<V1Pod> pods)
    {
        var health = pods.Select(p => PodHealth.Of(p, null)).ToList();
        var ready = health.Count(h => h.Ready);
        findings.Facts[KubernetesFactKeys.BackendPods] = pods.Count.ToString(CultureInfo.InvariantCulture);
        findings.Facts[KubernetesFactKeys.BackendReady] = ready.ToString(CultureInfo.InvariantCulture);
        foreach (var h in health.Where(h => !h.Ready || h.Restarts > 0 || h.CrashLoop))
        {
            findings.Details.Add(h.Describe());
        }

        if (pods.Count == 0)
        {
            findings.Raise(ProbeStatus.Warn);
            findings.Summary($"{_options.BackendDeployment} has no pods (scaled to 0, or the deployment is missing)");
            return;
        }

        if (ready < pods.Count || health.Any(h => h.CrashLoop))
        {
            findings.Raise(ProbeStatus.Warn);
        }

        findings.Summary($"{_options.BackendDeployment} {ready}/{pods.Count} ready{(health.Any(h => h.CrashLoop) ? ", CrashLoopBackOff" : string.Empty)}");
    }

    private async Task<IReadOnlyList<Corev1Event>> WarningEventsAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedEventAsync(_options.Namespace, fieldSelector: "type=Warning", cancellationToken: cancellationToken);
        var since = time.GetUtcNow() - _options.EventWindow;
        return list.Items
            .Where(e => string.Equals(e.Type, "Warning", StringComparison.Ordinal) && When(e) is { } at && at >= since)
            .OrderByDescending(When)
            .ToList();
    }

    private void ReportEvents(ProbeFindings findings, IReadOnlyList<Corev1Event> warnings)
    {
        findings.Facts[KubernetesFactKeys.WarningEvents] = warnings.Count.ToString(CultureInfo.InvariantCulture);
        if (warnings.Count == 0)
        {
            return;
        }

        findings.Raise(ProbeStatus.Warn);
        findings.Summary($"{warnings.Count} Warning events in the last {Durations.Format(_options.EventWindow)} ({string.Join(", ", warnings.Select(e => e.Reason).Distinct(StringComparer.Ordinal).Take(4))})");
        foreach (var e in warnings.Take(MaxEventLines))
        {
            var count = e.Count is > 1 ? $" (x{e.Count})" : string.Empty;
            var obj = e.InvolvedObject is { } o ? $"{o.Kind?.ToLowerInvariant()}/{o.Name}" : "?";
            findings.Details.Add(Domain.Text.SecretRedactor.Redact($"event {e.Reason} {obj}: {e.Message}{count}"));
        }
    }

    private static DateTimeOffset? When(Corev1Event e)
    {
        var at = e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp;
        return at is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
    }

    private async Task ScanLogsAsync(IKubernetes client, ProbeFindings findings, IReadOnlyList<PostgresPod> pods, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var reads = new List<Task<IReadOnlyList<LogMatch>?>>();
        foreach (var pod in pods.Take(MaxPodsWithLogs))
        {
            var container = ContainerOf(pod.Pod);
            var status = pod.Pod.Status?.ContainerStatuses?.FirstOrDefault(s => container is null || string.Equals(s.Name, container, StringComparison.Ordinal));
            reads.Add(ReadLogAsync(client, findings, pod.Name, container, previous: false, timeout, cancellationToken));
            if (status is { RestartCount: > 0 } || string.Equals(status?.State?.Waiting?.Reason, PodHealth.CrashLoopBackOff, StringComparison.Ordinal))
            {
                reads.Add(ReadLogAsync(client, findings, pod.Name, container, previous: true, timeout, cancellationToken));
            }
        }

        var results = await Task.WhenAll(reads);
        if (results.All(r => r is null))
        {
            return;
        }

        var matches = results.Where(r => r is not null).SelectMany(r => r!).OrderBy(m => m.Timestamp ?? DateTimeOffset.MaxValue).ToList();
        var codes = LogSignatures.All.Select(s => s.Code).Where(c => matches.Any(m => m.Codes.Contains(c, StringComparer.Ordinal))).ToList();
        findings.Facts[FactKeys.LogErrorSignatures] = FactList.Join(codes);
        if (codes.Count == 0)
        {
            findings.Summary("no known error signatures in the postgres logs");
            return;
        }

        findings.Raise(codes.Any(LogSignatures.IsCritical) ? ProbeStatus.Crit : ProbeStatus.Warn);
        findings.Summary($"log signatures: {string.Join(", ", codes)}");
        foreach (var m in matches.TakeLast(MaxMatchLines))
        {
            var at = m.Timestamp is { } t ? t.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "Z " : string.Empty;
            findings.Details.Add($"log {m.Source} [{string.Join(",", m.Codes)}] {at}{m.Line}");
        }

        findings.Symptom(matches.Select(m => m.Timestamp).Where(t => t is not null).Min());
    }

    private async Task<IReadOnlyList<LogMatch>?> ReadLogAsync(
        IKubernetes client, ProbeFindings findings, string pod, string? container, bool previous, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var source = $"{pod}/{container ?? "-"}{(previous ? " (previous)" : string.Empty)}";
        try
        {
            using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(
                pod, _options.Namespace, container: container, tailLines: TailLines, timestamps: true, limitBytes: LimitBytes,
                previous: previous, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(cancellationToken);
            return LogSignatures.Scan(source, text);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            lock (findings)
            {
                Unknown(findings, $"log of {source}: no answer within {Durations.Format(Timeout)}");
            }
        }
        catch (Exception ex) when (previous && KubernetesErrors.StatusOf(ex) is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound)
        {
            lock (findings)
            {
                findings.Details.Add($"log {source}: no previous container log kept");
            }

            return [];
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            lock (findings)
            {
                Unknown(findings, $"log of {source}: {KubernetesErrors.Describe(ex, "pods/log get")}");
            }
        }

        return null;
    }

    private string? ContainerOf(V1Pod pod) => PostgresPods.ContainerOf(pod, _options.PostgresContainer);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Kubernetes probe: {Status} in {ElapsedMs:0} ms")]
        public static partial void Finished(ILogger logger, ProbeStatus status, double elapsedMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Kubernetes probe: reading {Section} failed ({Error})")]
        public static partial void SectionFailed(ILogger logger, string section, string error);
    }
}
