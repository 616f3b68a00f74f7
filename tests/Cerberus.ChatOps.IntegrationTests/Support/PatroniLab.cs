using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Support;

/// <summary>Test-side access to the lab's Patroni cluster (the product has its own client; this one checks it).</summary>
public sealed class PatroniLab(LabEnvironment lab)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(40) };

    public async Task<JsonElement> GetClusterAsync(CancellationToken cancellationToken = default)
    {
        Exception? last = null;
        foreach (var url in lab.PatroniUrls)
        {
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                cts.CancelAfter(TimeSpan.FromSeconds(3));
                return await Http.GetFromJsonAsync<JsonElement>(new Uri(url, "/cluster"), cts.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException("no Patroni member answered /cluster", last);
    }

    public static (string? Leader, int Timeline) LeaderOf(JsonElement cluster)
    {
        foreach (var m in cluster.GetProperty("members").EnumerateArray())
        {
            if (m.GetProperty("role").GetString() == "leader")
            {
                return (m.GetProperty("name").GetString(), m.TryGetProperty("timeline", out var t) ? t.GetInt32() : 0);
            }
        }

        return (null, 0);
    }

    /// <summary>Waits until there is one running leader and every replica runs with a numeric lag.</summary>
    public async Task<JsonElement> WaitSettledAsync(TimeSpan limit)
    {
        var (cluster, _) = await Eventually.Async(
            async () =>
            {
                var c = await GetClusterAsync();
                var members = c.GetProperty("members").EnumerateArray().ToList();
                var leaders = members.Count(m => m.GetProperty("role").GetString() == "leader" && m.GetProperty("state").GetString() == "running");
                var replicasOk = members.Where(m => m.GetProperty("role").GetString() != "leader")
                    .All(m => m.GetProperty("state").GetString() is "running" or "streaming"
                              && m.TryGetProperty("lag", out var lag) && lag.ValueKind == JsonValueKind.Number);
                return (Cluster: c, Settled: members.Count == lab.PatroniNames.Count && leaders == 1 && replicasOk);
            },
            read => read.Settled,
            limit,
            "the Patroni cluster did not settle",
            TimeSpan.FromMilliseconds(250),
            read => read.Cluster.GetRawText(),
            retryOn: ex => ex is InvalidOperationException);
        return cluster;
    }

    public async Task<(int Status, string Body)> SwitchoverAsync(string leader, string candidate)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(lab.PatroniUrls[0], "/switchover"))
        {
            Content = new StringContent(JsonSerializer.Serialize(new { leader, candidate }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{lab.PatroniUser}:{lab.PatroniPassword}")));
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
