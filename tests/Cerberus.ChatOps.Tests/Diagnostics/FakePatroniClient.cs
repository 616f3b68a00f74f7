using System.Text.Json;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>Patroni members with canned answers (JSON as Patroni 3.0.2 sends it), or hung, or refusing.</summary>
internal sealed class FakePatroniClient : IPatroniClient
{
    private readonly Dictionary<Uri, string?> _clusters = [];
    private readonly Dictionary<Uri, string?> _statuses = [];
    private readonly HashSet<Uri> _hung = [];
    private readonly HashSet<Uri> _refusing = [];

    public FakePatroniClient(params Uri[] members) => Members = members;

    public IReadOnlyList<Uri> Members { get; }

    public string? ConfigJson { get; set; } = """{"ttl":20,"loop_wait":2,"retry_timeout":5,"maximum_lag_on_failover":1048576}""";

    public static Uri Url(int n) => new($"http://127.0.0.1:800{n}");

    /// <summary>The /cluster members JSON for a leader on timeline 4 and replicas with the given lags (null = "unknown").</summary>
    public static string Cluster(string leader, params (string Name, string State, long? Lag, int Timeline)[] replicas)
    {
        var members = new List<string>
        {
            $$"""{"name":"{{leader}}","role":"leader","state":"running","api_url":"http://127.0.0.1:800{{leader[^1]}}/patroni","host":"127.0.0.1","port":5432,"timeline":4}""",
        };
        foreach (var r in replicas)
        {
            var lag = r.Lag is { } l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "\"unknown\"";
            members.Add($$"""{"name":"{{r.Name}}","role":"replica","state":"{{r.State}}","api_url":"http://127.0.0.1:800{{r.Name[^1]}}/patroni","host":"127.0.0.1","port":5433,"timeline":{{r.Timeline}},"lag":{{lag}} }""");
        }

        return $$"""{"members":[{{string.Join(",", members)}}]}""";
    }

    public static string Status(string role, string state = "running", long dcsLastSeen = 0) =>
        $$"""{"state":"{{state}}","role":"{{role}}","server_version":150018,"timeline":4,"dcs_last_seen":{{dcsLastSeen}},"patroni":{"version":"3.0.2","scope":"cerberus-cluster"} }""";

    public FakePatroniClient WithCluster(Uri member, string json)
    {
        _clusters[member] = json;
        return this;
    }

    public FakePatroniClient WithStatus(Uri member, string json)
    {
        _statuses[member] = json;
        return this;
    }

    public FakePatroniClient Hung(Uri member)
    {
        _hung.Add(member);
        return this;
    }

    public FakePatroniClient Refusing(Uri member)
    {
        _refusing.Add(member);
        return this;
    }

    public Task<PatroniAnswer<PatroniCluster>> GetClusterAsync(Uri member, CancellationToken cancellationToken) =>
        Answer<PatroniCluster>(member, _clusters.GetValueOrDefault(member), cancellationToken);

    public Task<PatroniAnswer<PatroniNodeStatus>> GetStatusAsync(Uri member, CancellationToken cancellationToken) =>
        Answer<PatroniNodeStatus>(member, _statuses.GetValueOrDefault(member), cancellationToken);

    /// <summary>The /history entries every member serves (none by default: a cluster that never switched).</summary>
    public List<PatroniHistoryEntry> History { get; } = [];

    public Task<PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>> GetHistoryAsync(Uri member, CancellationToken cancellationToken) =>
        Task.FromResult(_hung.Contains(member)
            ? new PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>(member, null, null, true, "no answer within 3 s", TimeSpan.FromSeconds(3))
            : new PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>(member, History.ToList(), 200, false, null, TimeSpan.FromMilliseconds(5)));

    public Task<PatroniAnswer<PatroniDynamicConfig>> GetConfigAsync(Uri member, CancellationToken cancellationToken) =>
        Answer<PatroniDynamicConfig>(member, ConfigJson, cancellationToken);

    public Task<PatroniAnswer<PatroniNodeStatus>> GetReplicaCheckAsync(Uri member, long? maximumLagBytes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("diagnostics never measure the DCS optime");

    public async Task<IReadOnlyList<PatroniAnswer<PatroniCluster>>> GetClusterFromAllAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(Members.Select(m => GetClusterAsync(m, cancellationToken)));

    public Task<PatroniCommandResult> SwitchoverAsync(Uri member, string leader, string candidate, CancellationToken cancellationToken) =>
        throw new NotSupportedException("diagnostics never switch over");

    public Task<PatroniCommandResult> FailoverAsync(Uri member, string candidate, CancellationToken cancellationToken) =>
        throw new NotSupportedException("diagnostics never fail over");

    public Task<PatroniCommandResult> ReinitializeAsync(Uri member, bool force, CancellationToken cancellationToken) =>
        throw new NotSupportedException("diagnostics never reinitialise");

    public Task<PatroniCommandResult> PatchConfigAsync(Uri member, System.Text.Json.Nodes.JsonObject patch, CancellationToken cancellationToken) =>
        throw new NotSupportedException("diagnostics never change the configuration");

    private Task<PatroniAnswer<T>> Answer<T>(Uri member, string? json, CancellationToken cancellationToken)
        where T : class
    {
        if (_hung.Contains(member))
        {
            // What PatroniClient returns once its per-member timeout expires.
            return Task.FromResult(new PatroniAnswer<T>(member, null, null, true, "no answer within 3 s", TimeSpan.FromSeconds(3)));
        }

        if (_refusing.Contains(member) || json is null)
        {
            return Task.FromResult(new PatroniAnswer<T>(member, null, null, false, "connection refused or unreachable", TimeSpan.FromMilliseconds(1)));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new PatroniAnswer<T>(member, JsonSerializer.Deserialize<T>(json), 200, false, null, TimeSpan.FromMilliseconds(5)));
    }
}
