using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>
/// A fake Prometheus HTTP API on 127.0.0.1 (a real Kestrel server): <c>GET /api/v1/query</c> evaluates the small part of
/// PromQL the bot sends against the series it holds, the way Prometheus does: a selector with label matchers (<c>=</c>,
/// <c>!=</c>, <c>=~</c>, <c>!~</c>, regexes anchored, <c>__name__</c> included), a range (<c>[5m]</c>: the raw samples
/// of that window, a matrix), and <c>deriv(…[30m])</c> (the least-squares slope per second, at least two samples). The
/// answer is Prometheus' JSON (<c>status</c>, <c>data.resultType</c>, <c>data.result</c>, values as strings). Records
/// every query and its Authorization header; <see cref="Failure"/> makes it answer an error instead.
/// </summary>
public sealed partial class FakePrometheusServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<(Dictionary<string, string> Labels, List<(DateTimeOffset At, double Value)> Samples)> _series = [];
    private readonly List<(string Query, string? Authorization)> _queries = [];

    private FakePrometheusServer(WebApplication app) => _app = app;

    public Uri Uri { get; private set; } = null!;

    /// <summary>When set, every query is answered with this HTTP status and Prometheus error body.</summary>
    public (int Status, string ErrorType, string Error)? Failure { get; set; }

    /// <summary>When set, queries are answered only with this bearer token, 401 otherwise.</summary>
    public string? RequiredToken { get; set; }

    public IReadOnlyList<(string Query, string? Authorization)> Queries
    {
        get
        {
            lock (_lock)
            {
                return _queries.ToList();
            }
        }
    }

    public static async Task<FakePrometheusServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakePrometheusServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Uri = new Uri(address + "/");
        return server;
    }

    /// <summary>Adds samples to the series with exactly these labels (including <c>__name__</c>), as Prometheus appends to one series.</summary>
    public void AddSeries(IDictionary<string, string> labels, params (DateTimeOffset At, double Value)[] samples)
    {
        lock (_lock)
        {
            var existing = _series.FirstOrDefault(s => s.Labels.Count == labels.Count && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
            if (existing.Labels is null)
            {
                _series.Add((new Dictionary<string, string>(labels, StringComparer.Ordinal), samples.ToList()));
            }
            else
            {
                existing.Samples.AddRange(samples);
            }
        }
    }

    /// <summary>The five kubelet_volume_stats_* series of one PVC, one sample each at <paramref name="at"/>.</summary>
    public void AddVolume(string @namespace, string claim, long capacity, long used, long available, DateTimeOffset at, IDictionary<string, string>? extra = null)
    {
        foreach (var (name, value) in new (string, double)[]
                 {
                     ("kubelet_volume_stats_capacity_bytes", capacity), ("kubelet_volume_stats_used_bytes", used),
                     ("kubelet_volume_stats_available_bytes", available), ("kubelet_volume_stats_inodes", 6553600), ("kubelet_volume_stats_inodes_free", 6488064),
                 })
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["__name__"] = name, ["namespace"] = @namespace, ["persistentvolumeclaim"] = claim, ["job"] = "kubelet", ["instance"] = "10.0.0.7:10250", ["node"] = "node-1",
            };
            foreach (var (k, v) in extra ?? new Dictionary<string, string>())
            {
                labels[k] = v;
            }

            AddSeries(labels, (at, value));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query["query"].ToString();
        var authorization = context.Request.Headers.Authorization.ToString();
        lock (_lock)
        {
            _queries.Add((query, string.IsNullOrEmpty(authorization) ? null : authorization));
        }

        var (status, body) = Answer(context.Request.Path.Value ?? "/", query, authorization);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private (int Status, JsonObject Body) Answer(string path, string query, string authorization)
    {
        if (path != "/api/v1/query")
        {
            return (404, Error("not_found", $"no route {path}"));
        }

        if (RequiredToken is { } token && authorization != "Bearer " + token)
        {
            return (401, Error("unauthorized", "Unauthorized"));
        }

        if (Failure is { } failure)
        {
            return (failure.Status, Error(failure.ErrorType, failure.Error));
        }

        var match = QueryPattern().Match(query);
        if (!match.Success)
        {
            return (400, Error("bad_data", $"the fake cannot parse: {query}"));
        }

        var matchers = MatcherPattern().Matches(match.Groups["matchers"].Value)
            .Select(m => (Name: m.Groups["name"].Value, Op: m.Groups["op"].Value, Value: Regex.Unescape(m.Groups["value"].Value)))
            .ToList();
        if (match.Groups["metric"].Success && match.Groups["metric"].Value.Length > 0)
        {
            matchers.Add(("__name__", "=", match.Groups["metric"].Value));
        }

        var now = DateTimeOffset.UtcNow;
        var range = match.Groups["range"].Success ? ParseRange(match.Groups["range"].Value) : TimeSpan.FromMinutes(5);
        List<(Dictionary<string, string> Labels, List<(DateTimeOffset At, double Value)> Samples)> selected;
        lock (_lock)
        {
            selected = _series
                .Where(s => matchers.All(m => Matches(s.Labels.GetValueOrDefault(m.Name) ?? string.Empty, m.Op, m.Value)))
                .Select(s => (s.Labels, s.Samples.Where(p => p.At > now - range && p.At <= now).OrderBy(p => p.At).ToList()))
                .Where(s => s.Item2.Count > 0)
                .ToList();
        }

        var result = new JsonArray();
        string type;
        if (match.Groups["fn"].Value == "deriv")
        {
            type = "vector";
            foreach (var (labels, samples) in selected.Where(s => s.Samples.Count >= 2))
            {
                var metric = Labels(labels);
                metric.Remove("__name__");
                result.Add(new JsonObject { ["metric"] = metric, ["value"] = Point(now, Slope(samples)) });
            }
        }
        else if (match.Groups["range"].Success)
        {
            type = "matrix";
            foreach (var (labels, samples) in selected)
            {
                result.Add(new JsonObject { ["metric"] = Labels(labels), ["values"] = new JsonArray([.. samples.Select(p => (JsonNode)Point(p.At, p.Value))]) });
            }
        }
        else
        {
            type = "vector";
            foreach (var (labels, samples) in selected)
            {
                result.Add(new JsonObject { ["metric"] = Labels(labels), ["value"] = Point(now, samples[^1].Value) });
            }
        }

        return (200, new JsonObject { ["status"] = "success", ["data"] = new JsonObject { ["resultType"] = type, ["result"] = result } });
    }

    private static bool Matches(string actual, string op, string value) => op switch
    {
        "=" => actual == value,
        "!=" => actual != value,
        "=~" => Regex.IsMatch(actual, "^(?:" + value + ")$", RegexOptions.CultureInvariant),
        _ => !Regex.IsMatch(actual, "^(?:" + value + ")$", RegexOptions.CultureInvariant),
    };

    /// <summary>Prometheus' deriv: the slope of the least-squares line through the samples, per second.</summary>
    private static double Slope(List<(DateTimeOffset At, double Value)> samples)
    {
        var t0 = samples[0].At;
        var xs = samples.Select(p => (p.At - t0).TotalSeconds).ToList();
        var ys = samples.Select(p => p.Value).ToList();
        var mx = xs.Average();
        var my = ys.Average();
        var num = xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my));
        var den = xs.Sum(x => (x - mx) * (x - mx));
        return den == 0 ? 0 : num / den;
    }

    private static TimeSpan ParseRange(string text) =>
        text[^1] switch
        {
            's' => TimeSpan.FromSeconds(int.Parse(text[..^1], CultureInfo.InvariantCulture)),
            'm' => TimeSpan.FromMinutes(int.Parse(text[..^1], CultureInfo.InvariantCulture)),
            _ => TimeSpan.FromHours(int.Parse(text[..^1], CultureInfo.InvariantCulture)),
        };

    private static JsonObject Labels(Dictionary<string, string> labels)
    {
        var json = new JsonObject();
        foreach (var (k, v) in labels)
        {
            json[k] = v;
        }

        return json;
    }

    private static JsonArray Point(DateTimeOffset at, double value) =>
        [at.ToUnixTimeMilliseconds() / 1000.0, value.ToString("R", CultureInfo.InvariantCulture)];

    private static JsonObject Error(string type, string error) => new() { ["status"] = "error", ["errorType"] = type, ["error"] = error };

    [GeneratedRegex("""^\s*(?:(?<fn>deriv)\()?(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)?\{(?<matchers>.*)\}(?:\[(?<range>\d+[smh])\])?\)?\s*$""", RegexOptions.CultureInvariant)]
    private static partial Regex QueryPattern();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?<op>=~|!~|!=|=)\s*""(?<value>(?:[^""\\]|\\.)*)""", RegexOptions.CultureInvariant)]
    private static partial Regex MatcherPattern();
}
