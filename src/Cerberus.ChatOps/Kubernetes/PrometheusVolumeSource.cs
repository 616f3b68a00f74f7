using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Cerberus.ChatOps.Domain.Text;
using k8s;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// The kubelet's <c>kubelet_volume_stats_*</c> series of the data volume's PVC from Prometheus' HTTP API
/// (<c>GET {PrometheusUrl}/api/v1/query</c>; <c>PrometheusUrl</c> set): capacity, available, used and inodes from the
/// last five minutes of raw samples (each with its scrape time), and the growth from <c>deriv</c> over 30 minutes. No
/// Kubernetes grant at all, and it keeps answering while PostgreSQL and its container are down. Needs the PVC's name
/// (the series carry <c>namespace</c> and <c>persistentvolumeclaim</c>); a volume that is no PVC has no such series.
/// </summary>
internal sealed partial class PrometheusVolumeSource(KubernetesOptions options, IHttpClientFactory httpClients, TimeProvider time, ILogger logger) : IVolumeStatsSource
{
    public const string HttpClientName = "cerberus-prometheus";

    /// <summary>A query answer larger than this is not the handful of series asked for.</summary>
    public const int MaxAnswerBytes = 1 << 20;

    public string Name => "Prometheus";

    public bool Enabled => !string.IsNullOrWhiteSpace(options.PrometheusUrl);

    public async Task<VolumeSourceResult> ReadAsync(IKubernetes client, PostgresPod pod, DataVolume volume, CancellationToken cancellationToken)
    {
        if (volume.Claim is not { } claim)
        {
            return VolumeSourceResult.Failed(Name, $"pod {pod.Name} mounts no PVC at {options.DataPath}, and kubelet_volume_stats_* exist for PVCs only");
        }

        var shown = $"kubelet_volume_stats_* of pvc/{claim} from Prometheus";
        try
        {
            var samples = await QueryAsync(PrometheusQuery.Samples(options.Namespace, claim, options.PrometheusSelector), cancellationToken);
            var latest = Latest(samples, out var seriesNotes);
            if (!latest.TryGetValue("kubelet_volume_stats_capacity_bytes", out var capacity) || !latest.TryGetValue("kubelet_volume_stats_available_bytes", out var available))
            {
                return VolumeSourceResult.Failed(Name, $"{shown}: no sample in the last 5 min for namespace=\"{options.Namespace}\", persistentvolumeclaim=\"{claim}\"{Extra()} (is the kubelet scraped, and is the volume mounted?)");
            }

            var used = latest.TryGetValue("kubelet_volume_stats_used_bytes", out var u) ? (long)u.Value : Math.Max(0, (long)capacity.Value - (long)available.Value);
            long? inodes = latest.TryGetValue("kubelet_volume_stats_inodes", out var i) ? (long)i.Value : null;
            long? inodesFree = latest.TryGetValue("kubelet_volume_stats_inodes_free", out var f) ? (long)f.Value : null;
            var sampledAt = available.At;
            var age = time.GetUtcNow() - sampledAt;
            double? growth = null;
            var notes = new List<string>(seriesNotes);
            try
            {
                var deriv = await QueryAsync(PrometheusQuery.Growth(options.Namespace, claim, options.PrometheusSelector), cancellationToken);
                var slopes = Latest(deriv, out _).Values.Where(v => double.IsFinite(v.Value)).ToList();
                if (slopes.Count > 0)
                {
                    growth = slopes.MaxBy(v => v.At).Value * 3600;
                }
                else
                {
                    notes.Add("growth: deriv(kubelet_volume_stats_used_bytes[30m]) returned no series (fewer than two samples in 30 min)");
                }
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                notes.Add($"growth: deriv(kubelet_volume_stats_used_bytes[30m]) failed: {Describe(ex)}");
            }

            var stats = new VolumeStats((long)capacity.Value, used, (long)available.Value, inodes, inodesFree, $"{shown}, sampled {Durations.Format(age < TimeSpan.Zero ? TimeSpan.Zero : age)} ago", sampledAt, growth);
            return VolumeSourceResult.Of(stats, [.. notes]);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            Log.Failed(logger, ex.GetType().Name);
            return VolumeSourceResult.Failed(Name, $"{shown}: {Describe(ex)}");
        }
    }

    /// <summary>One instant query; the result's series as (labels, samples), where an instant vector has one sample per series.</summary>
    private async Task<List<(Dictionary<string, string> Labels, List<(DateTimeOffset At, double Value)> Samples)>> QueryAsync(string promql, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.PrometheusTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var http = httpClients.CreateClient(HttpClientName);
        var url = new Uri(new Uri(options.PrometheusUrl!.TrimEnd('/') + "/"), "api/v1/query?query=" + Uri.EscapeDataString(promql));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrWhiteSpace(options.PrometheusBearerToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.PrometheusBearerToken);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await body.ReadAsync(chunk, linked.Token)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes)
            {
                throw new InvalidDataException($"the answer is larger than {MaxAnswerBytes >> 20} MiB");
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        using var json = await JsonDocument.ParseAsync(buffer, cancellationToken: linked.Token);
        var root = json.RootElement;
        var status = root.TryGetProperty("status", out var s) ? s.GetString() : null;
        if (!response.IsSuccessStatusCode || !string.Equals(status, "success", StringComparison.Ordinal))
        {
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}{(error is null ? string.Empty : ": " + error)}", null, response.StatusCode);
        }

        var series = new List<(Dictionary<string, string>, List<(DateTimeOffset, double)>)>();
        foreach (var item in root.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = item.TryGetProperty("metric", out var m)
                ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
            var points = new List<(DateTimeOffset, double)>();
            if (item.TryGetProperty("value", out var v))
            {
                points.Add(Point(v));
            }

            if (item.TryGetProperty("values", out var vs))
            {
                points.AddRange(vs.EnumerateArray().Select(Point));
            }

            series.Add((labels, points));
        }

        return series;
    }

    /// <summary>
    /// The newest sample of each metric name. When several series carry one name (two scrape jobs, two clusters in
    /// one Prometheus), the newest wins and a note names how many matched, so the operator can narrow the selector.
    /// </summary>
    private static Dictionary<string, (DateTimeOffset At, double Value)> Latest(
        List<(Dictionary<string, string> Labels, List<(DateTimeOffset At, double Value)> Samples)> series, out List<string> notes)
    {
        notes = [];
        var latest = new Dictionary<string, (DateTimeOffset At, double Value)>(StringComparer.Ordinal);
        foreach (var group in series.Where(x => x.Samples.Count > 0).GroupBy(x => x.Labels.GetValueOrDefault("__name__") ?? string.Empty, StringComparer.Ordinal))
        {
            var newest = group.Select(x => (x.Labels, Sample: x.Samples.MaxBy(p => p.At))).MaxBy(x => x.Sample.At);
            latest[group.Key] = newest.Sample;
            if (group.Count() > 1 && group.Key.EndsWith("available_bytes", StringComparison.Ordinal))
            {
                var by = string.Join(", ", newest.Labels.Where(l => l.Key is "job" or "instance" or "node" or "cluster").Select(l => $"{l.Key}={l.Value}"));
                notes.Add($"{group.Count()} series of {group.Key} matched; the newest ({by}) was used: narrow them with Cerberus__Kubernetes__PrometheusSelector");
            }
        }

        return latest;
    }

    private static (DateTimeOffset At, double Value) Point(JsonElement pair)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(pair[0].GetDouble() * 1000));
        var value = double.Parse(pair[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
        return (at, value);
    }

    private string Extra() => string.IsNullOrWhiteSpace(options.PrometheusSelector) ? string.Empty : $", {options.PrometheusSelector}";

    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or JsonException or InvalidDataException or FormatException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private string Describe(Exception ex) => SecretRedactor.Redact(ex switch
    {
        OperationCanceledException => $"no answer within {Durations.Format(options.PrometheusTimeout)}",
        HttpRequestException { StatusCode: { } code } h when (int)code is 401 or 403 => $"{h.Message} (Cerberus__Kubernetes__PrometheusBearerToken refused or missing)",
        HttpRequestException { StatusCode: not null } h => h.Message,
        HttpRequestException h => "unreachable: " + h.HttpRequestError,
        _ => "the answer is not Prometheus' query format: " + ex.Message,
    });

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Free space: the Prometheus query failed ({Error})")]
        public static partial void Failed(ILogger logger, string error);
    }
}
