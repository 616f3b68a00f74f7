using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cerberus.ChatOps.Benchmarks;

/// <summary>The lab as <c>tests/lab/lab.sh env</c> describes it, and direct calls to its Patroni REST API.</summary>
internal sealed class Lab
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public string Monitor { get; } = Require("CERBERUS_LAB_PG_MONITOR");

    /// <summary>The standalone PostgreSQL as its superuser: where the PostgreSQL store's database is created.</summary>
    public string Admin { get; } = Require("CERBERUS_LAB_PG");

    public string ActionsConnection { get; } = Require("CERBERUS_LAB_PATRONI_PG_1");

    public IReadOnlyList<string> PatroniUrls { get; } = Require("CERBERUS_LAB_PATRONI_URLS").Split(',', StringSplitOptions.RemoveEmptyEntries);

    public string User { get; } = Require("CERBERUS_LAB_PATRONI_USER");

    public string Password { get; } = Require("CERBERUS_LAB_PATRONI_PASSWORD");

    public Dictionary<string, string> HostEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Cerberus__Postgres__ConnectionString"] = Monitor,
            ["Cerberus__Actions__PostgresConnectionString"] = ActionsConnection,
            ["Cerberus__Patroni__Username"] = User,
            ["Cerberus__Patroni__Password"] = Password,
        };
        for (var i = 0; i < PatroniUrls.Count; i++)
        {
            env[$"Cerberus__Patroni__Urls__{i}"] = PatroniUrls[i];
        }

        return env;
    }

    /// <summary>Leader name, its timeline, the other member's name, and whether everything runs with a numeric lag.</summary>
    public async Task<(string? Leader, int Timeline, string? Replica, bool Settled)> ClusterAsync()
    {
        foreach (var url in PatroniUrls)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                var c = await Http.GetFromJsonAsync<JsonElement>(new Uri(new Uri(url), "/cluster"), cts.Token);
                var members = c.GetProperty("members").EnumerateArray().ToList();
                var leader = members.FirstOrDefault(m => m.GetProperty("role").GetString() == "leader");
                var replica = members.FirstOrDefault(m => m.GetProperty("role").GetString() != "leader");
                var leaderTimeline = leader.ValueKind == JsonValueKind.Object && leader.TryGetProperty("timeline", out var t) ? t.GetInt32() : 0;
                var settled = leader.ValueKind == JsonValueKind.Object && leader.GetProperty("state").GetString() == "running"
                    && members.Count == 2
                    && replica.ValueKind == JsonValueKind.Object && replica.GetProperty("state").GetString() is "running" or "streaming"
                    && replica.TryGetProperty("lag", out var lag) && lag.ValueKind == JsonValueKind.Number
                    && replica.TryGetProperty("timeline", out var rt) && rt.GetInt32() == leaderTimeline;
                return (leader.ValueKind == JsonValueKind.Object ? leader.GetProperty("name").GetString() : null, leaderTimeline,
                    replica.ValueKind == JsonValueKind.Object ? replica.GetProperty("name").GetString() : null, settled);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException)
            {
            }
        }

        return (null, 0, null, false);
    }

    public async Task<(string Leader, int Timeline, string Replica)> WaitSettledAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var c = await ClusterAsync();
            if (c.Settled)
            {
                return (c.Leader!, c.Timeline, c.Replica!);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the Patroni cluster did not settle");
            }

            await Task.Delay(100);
        }
    }

    public async Task<int> SwitchoverAsync(string leader, string candidate)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(PatroniUrls[0]), "/switchover"))
        {
            Content = new StringContent(JsonSerializer.Serialize(new { leader, candidate }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        using var response = await Http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new InvalidOperationException($"{name} is not set: run benchmarks/run.sh (it starts the lab)");
}
