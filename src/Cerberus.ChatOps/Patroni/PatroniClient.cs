using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Domain.Text;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// Talks to Patroni's REST API. Every GET has its own timeout (a hung member answers nothing for as long as you
/// wait); POSTs get ≥ 30 s because Patroni polls for the result before answering. Nothing is retried here:
/// a 412/503 needs a fresh look at /cluster, which is the caller's decision.
/// </summary>
internal sealed partial class PatroniClient(HttpClient http, IOptions<PatroniOptions> options, TimeProvider time, ILogger<PatroniClient> logger)
    : IPatroniClient
{
    private readonly PatroniOptions _options = options.Value;

    public IReadOnlyList<Uri> Members => _options.Members;

    public Task<PatroniAnswer<PatroniCluster>> GetClusterAsync(Uri member, CancellationToken cancellationToken) =>
        GetAsync<PatroniCluster>(member, "cluster", cancellationToken);

    public Task<PatroniAnswer<PatroniNodeStatus>> GetStatusAsync(Uri member, CancellationToken cancellationToken) =>
        GetAsync<PatroniNodeStatus>(member, "patroni", cancellationToken);

    public Task<PatroniAnswer<PatroniDynamicConfig>> GetConfigAsync(Uri member, CancellationToken cancellationToken) =>
        GetAsync<PatroniDynamicConfig>(member, "config", cancellationToken);

    public async Task<PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>> GetHistoryAsync(Uri member, CancellationToken cancellationToken)
    {
        var raw = await GetAsync<JsonElement[]>(member, "history", cancellationToken);
        if (raw.Value is null)
        {
            return new(member, null, raw.StatusCode, raw.TimedOut, raw.Error, raw.Elapsed);
        }

        var entries = new List<PatroniHistoryEntry>();
        foreach (var e in raw.Value.Where(e => e.ValueKind == JsonValueKind.Array && e.GetArrayLength() >= 3))
        {
            entries.Add(new PatroniHistoryEntry(
                e[0].GetInt32(),
                e[1].ValueKind == JsonValueKind.Number ? e[1].GetInt64() : 0,
                e[2].GetString() ?? string.Empty,
                e.GetArrayLength() > 3 ? e[3].GetString() : null,
                e.GetArrayLength() > 4 ? e[4].GetString() : null));
        }

        return new(member, entries, raw.StatusCode, false, null, raw.Elapsed);
    }

    public Task<PatroniAnswer<PatroniNodeStatus>> GetReplicaCheckAsync(Uri member, long? maximumLagBytes, CancellationToken cancellationToken) =>
        GetAsync<PatroniNodeStatus>(member, maximumLagBytes is { } lag ? $"replica?lag={lag.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "replica", cancellationToken);

    public async Task<IReadOnlyList<PatroniAnswer<PatroniCluster>>> GetClusterFromAllAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(Members.Select(m => GetClusterAsync(m, cancellationToken)));

    public Task<PatroniCommandResult> SwitchoverAsync(Uri member, string leader, string candidate, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, member, "switchover", Body(new Dictionary<string, string> { ["leader"] = leader, ["candidate"] = candidate }), cancellationToken);

    public Task<PatroniCommandResult> FailoverAsync(Uri member, string candidate, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, member, "failover", Body(new Dictionary<string, string> { ["candidate"] = candidate }), cancellationToken);

    public Task<PatroniCommandResult> ReinitializeAsync(Uri member, bool force, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, member, "reinitialize", JsonSerializer.Serialize(new Dictionary<string, bool> { ["force"] = force }), cancellationToken);

    public Task<PatroniCommandResult> PatchConfigAsync(Uri member, JsonObject patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return SendAsync(HttpMethod.Patch, member, "config", patch.ToJsonString(), cancellationToken);
    }

    private static string Body(Dictionary<string, string> body) => JsonSerializer.Serialize(body);

    private async Task<PatroniAnswer<T>> GetAsync<T>(Uri member, string path, CancellationToken cancellationToken)
        where T : class
    {
        var started = time.GetTimestamp();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri(member, path), HttpCompletionOption.ResponseHeadersRead, cts.Token);

            // /patroni and the health endpoints answer 503 with a JSON body on a replica or a sick node: still data.
            var value = await response.Content.ReadFromJsonAsync<T>(cts.Token);
            return new(member, value, (int)response.StatusCode, false, value is null ? "empty answer" : null, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(member, null, null, true, $"no answer within {Durations.Format(_options.RequestTimeout)}", time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new(member, null, (int?)ex.StatusCode, false, Describe(ex), time.GetElapsedTime(started));
        }
        catch (JsonException)
        {
            return new(member, null, null, false, $"/{path} did not answer JSON", time.GetElapsedTime(started));
        }
    }

    /// <summary>An unsafe call (POST/PATCH): Basic auth when configured, the long timeout, never retried here.</summary>
    private async Task<PatroniCommandResult> SendAsync(HttpMethod method, Uri member, string path, string body, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.FailoverTimeout);
        using var request = new HttpRequestMessage(method, new Uri(member, path))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (!string.IsNullOrEmpty(_options.Username))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}")));
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            Log.Posting(logger, method.Method, path, member, body);
        }

        try
        {
            using var response = await http.SendAsync(request, cts.Token);
            var text = (await response.Content.ReadAsStringAsync(cts.Token)).Trim();
            var elapsed = time.GetElapsedTime(started);
            Log.Answered(logger, method.Method, path, member, (int)response.StatusCode, LoggedText(path, response.IsSuccessStatusCode, text), elapsed.TotalMilliseconds);
            return new(member, (int)response.StatusCode, text, false, null, elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(member, null, string.Empty, true, $"no answer within {Durations.Format(_options.FailoverTimeout)}: the outcome is unknown, read {ReadBack(path)}", time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex) when (NeverSent(ex))
        {
            return new(member, null, string.Empty, false, Describe(ex) + ": nothing was sent", time.GetElapsedTime(started), NotSent: true);
        }
        catch (HttpRequestException ex)
        {
            // The connection was up: the body may have reached Patroni before the reset, so the outcome is unknown.
            Log.AnswerLost(logger, method.Method, path, member, ex.HttpRequestError);
            return new(member, (int?)ex.StatusCode, string.Empty, false,
                $"{Describe(ex)} after the request was sent: the outcome is unknown, read {ReadBack(path)}", time.GetElapsedTime(started));
        }
    }

    /// <summary>Where the truth is when an answer was lost: /config for a configuration change, /cluster otherwise.</summary>
    private static string ReadBack(string path) => path == "config" ? "/config" : "/cluster";

    /// <summary>
    /// What the log keeps of an answer: PATCH /config answers 200 with the whole dynamic configuration (which may hold
    /// connection settings), so only its size is logged; error texts are short and kept (cut at 300 characters).
    /// </summary>
    private static string LoggedText(string path, bool success, string text) =>
        success && path == "config" ? $"(the new configuration, {text.Length} characters)"
        : text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");

    /// <summary>Only a connection that was never established proves that no byte of the request reached Patroni.</summary>
    private static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.ConnectionError => "connection refused or unreachable",
        HttpRequestError.NameResolutionError => "name does not resolve",
        _ => ex.StatusCode is { } code ? $"HTTP {(int)code}" : ex.HttpRequestError.ToString(),
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Patroni {Method} /{Path} to {Member}: {Body}")]
        public static partial void Posting(ILogger logger, string method, string path, Uri member, string body);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Patroni {Method} /{Path} to {Member} answered {Status}: {Text} in {ElapsedMs:0} ms")]
        public static partial void Answered(ILogger logger, string method, string path, Uri member, int status, string text, double elapsedMs);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Patroni {Method} /{Path} to {Member} lost its answer ({Error}): the outcome is unknown")]
        public static partial void AnswerLost(ILogger logger, string method, string path, Uri member, HttpRequestError error);
    }
}
