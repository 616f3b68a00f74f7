using System.Text.Json;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>A scripted Patroni: /cluster depends on how many POSTs were made; POST answers come from a queue.</summary>
internal sealed class FakePatroniClient : IPatroniClient
{
    private static readonly Uri Api1 = new("http://10.0.0.1:8008/");
    private static readonly Uri Api2 = new("http://10.0.0.2:8008/");
    private readonly Queue<Func<Uri, PatroniCommandResult>> _answers = new();

    public int Posts { get; private set; }

    /// <summary>How many /cluster reads were served (the action polls /cluster only when the outcome is unknown).</summary>
    public int ClusterReads { get; private set; }

    /// <summary>Called after each POST with the number of POSTs so far: a test changes the cluster between attempts here.</summary>
    public Action<int>? AfterPost { get; set; }

    /// <summary>The candidate pg2's lag in /cluster, in bytes (its received LSN follows).</summary>
    public long ReplicaLag { get; set; }

    public List<string> Sent { get; } = [];

    /// <summary>Which member leads, on which timeline, after n POSTs (null leader = leaderless).</summary>
    public Func<int, (string? Leader, int Timeline)> State { get; set; } = _ => ("pg1", 4);

    /// <summary>Whether the leader's own /patroni answers (a dead leader does not).</summary>
    public bool LeaderAnswers { get; set; } = true;

    public IReadOnlyList<Uri> Members { get; } = [Api1, Api2];

    public void Answer(int status, string body) =>
        _answers.Enqueue(member => new PatroniCommandResult(member, status, body, false, null, TimeSpan.FromMilliseconds(5)));

    /// <summary>A POST without an HTTP answer: never connected (<paramref name="notSent"/>), or lost after the connection was up.</summary>
    public void AnswerTransportError(bool notSent, bool timedOut = false) =>
        _answers.Enqueue(member => new PatroniCommandResult(member, null, string.Empty, timedOut, notSent ? "connection refused or unreachable: nothing was sent" : "ResponseEnded after the request was sent", TimeSpan.FromMilliseconds(5), notSent));

    /// <summary>When set, /cluster is this JSON (by the number of POSTs so far) instead of the pg1/pg2 pair above.</summary>
    public Func<int, string>? ClusterJson { get; set; }

    /// <summary>When set, a member's /patroni is this JSON (by member name and the number of reads of it; null = no answer).</summary>
    public Func<string, int, string?>? StatusJson { get; set; }

    private readonly Dictionary<string, int> _statusReads = new(StringComparer.Ordinal);

    public Task<PatroniAnswer<PatroniCluster>> GetClusterAsync(Uri member, CancellationToken cancellationToken)
    {
        ClusterReads++;
        if (ClusterJson is { } custom)
        {
            return Task.FromResult(new PatroniAnswer<PatroniCluster>(member, JsonSerializer.Deserialize<PatroniCluster>(custom(Posts)), 200, false, null, TimeSpan.Zero));
        }

        var (leader, timeline) = State(Posts);
        var json = $$"""
            {"members":[
              {"name":"pg1","role":"{{(Leads(leader, "pg1") ? "leader" : "replica")}}","state":"running","api_url":"http://10.0.0.1:8008/patroni","host":"10.0.0.1","port":5432,"timeline":{{timeline}}{{(Leads(leader, "pg1") ? string.Empty : ",\"lag\":0")}}},
              {"name":"pg2","role":"{{(Leads(leader, "pg2") ? "leader" : "replica")}}","state":"running","api_url":"http://10.0.0.2:8008/patroni","host":"10.0.0.2","port":5432,"timeline":{{timeline}}{{(Leads(leader, "pg2") ? string.Empty : ",\"lag\":" + ReplicaLag)}}}
            ]}
            """;
        return Task.FromResult(new PatroniAnswer<PatroniCluster>(member, JsonSerializer.Deserialize<PatroniCluster>(json), 200, false, null, TimeSpan.Zero));
    }

    /// <summary>Whether <paramref name="member"/> has the leader role in <paramref name="leader"/> ("pg1", or "pg1+pg2" for an answer naming two).</summary>
    private static bool Leads(string? leader, string member) =>
        leader is not null && leader.Split('+').Contains(member, StringComparer.Ordinal);

    public async Task<IReadOnlyList<PatroniAnswer<PatroniCluster>>> GetClusterFromAllAsync(CancellationToken cancellationToken) =>
        [await GetClusterAsync(Api1, cancellationToken), await GetClusterAsync(Api2, cancellationToken)];

    public Task<PatroniAnswer<PatroniNodeStatus>> GetStatusAsync(Uri member, CancellationToken cancellationToken)
    {
        var (leader, _) = State(Posts);
        var name = member.Host == "10.0.0.1" ? "pg1" : "pg2";
        if (StatusJson is { } custom)
        {
            var reads = _statusReads[name] = _statusReads.GetValueOrDefault(name) + 1;
            var json = custom(name, reads);
            var parsed = json is null ? null : JsonSerializer.Deserialize<PatroniNodeStatus>(json);
            return Task.FromResult(new PatroniAnswer<PatroniNodeStatus>(member, parsed, parsed is null ? null : 200, false, parsed is null ? "connection refused or unreachable" : null, TimeSpan.Zero));
        }

        PatroniNodeStatus? status = name == leader
            ? LeaderAnswers ? new PatroniNodeStatus { State = "running", Role = "master", Xlog = new PatroniXlog { Location = 0x5000000 } } : null
            : new PatroniNodeStatus { State = "running", Role = "replica", DcsLastSeen = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (long)DcsSeenAgo.TotalSeconds, Xlog = new PatroniXlog { ReceivedLocation = 0x5000000 - (name == "pg2" ? ReplicaLag : 0), ReplayedLocation = 0x5000000 - (name == "pg2" ? ReplicaLag : 0) } };
        return Task.FromResult(new PatroniAnswer<PatroniNodeStatus>(member, status, status is null ? null : 200, status is null, status is null ? "no answer within 3 s" : null, TimeSpan.Zero));
    }

    /// <summary>
    /// The leader's last optime in the DCS (what /replica?lag=N compares against); null = the leader's current LSN.
    /// </summary>
    public long? DcsOptime { get; set; }

    /// <summary>How long ago the replicas last saw the DCS (/patroni dcs_last_seen).</summary>
    public TimeSpan DcsSeenAgo { get; set; }

    /// <summary>How many /replica health checks were served (the DCS optime search).</summary>
    public int ReplicaChecks { get; private set; }

    public Task<PatroniAnswer<PatroniNodeStatus>> GetReplicaCheckAsync(Uri member, long? maximumLagBytes, CancellationToken cancellationToken)
    {
        // Patroni 3.0.2 api.py do_GET: 503 unless a running replica with last_lsn <= replayed_location + lag.
        ReplicaChecks++;
        var (leader, _) = State(Posts);
        var name = member.Host == "10.0.0.1" ? "pg1" : "pg2";
        var replayed = 0x5000000 - (name == "pg2" ? ReplicaLag : 0);
        var optime = DcsOptime ?? 0x5000000;
        var within = name != leader && (maximumLagBytes is not { } lag || optime <= replayed + lag);
        return Task.FromResult(new PatroniAnswer<PatroniNodeStatus>(member, new PatroniNodeStatus { State = "running", Role = "replica" }, within ? 200 : 503, false, null, TimeSpan.Zero));
    }

    public Task<PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>> GetHistoryAsync(Uri member, CancellationToken cancellationToken) =>
        Task.FromResult(new PatroniAnswer<IReadOnlyList<PatroniHistoryEntry>>(member, [new PatroniHistoryEntry(3, 0x4000000, "no recovery target specified", null, "pg1")], 200, false, null, TimeSpan.Zero));

    public Task<PatroniAnswer<PatroniDynamicConfig>> GetConfigAsync(Uri member, CancellationToken cancellationToken) =>
        Task.FromResult(new PatroniAnswer<PatroniDynamicConfig>(member, new PatroniDynamicConfig { LoopWait = 0, MaximumLagOnFailover = 1_048_576 }, 200, false, null, TimeSpan.Zero));

    public Task<PatroniCommandResult> SwitchoverAsync(Uri member, string leader, string candidate, CancellationToken cancellationToken) =>
        Post(member, $"switchover {leader}->{candidate}");

    public Task<PatroniCommandResult> FailoverAsync(Uri member, string candidate, CancellationToken cancellationToken) =>
        Post(member, $"failover ->{candidate}");

    /// <summary>POST /reinitialize: recorded in <see cref="Sent"/> as "reinitialize &lt;host&gt; force=…", answered from the queue.</summary>
    public Task<PatroniCommandResult> ReinitializeAsync(Uri member, bool force, CancellationToken cancellationToken) =>
        Post(member, $"reinitialize {member.Host} force={(force ? "true" : "false")}");

    /// <summary>PATCH /config: recorded in <see cref="Sent"/>, answered from the same queue as the POSTs.</summary>
    public Task<PatroniCommandResult> PatchConfigAsync(Uri member, System.Text.Json.Nodes.JsonObject patch, CancellationToken cancellationToken) =>
        Post(member, $"patch {patch.ToJsonString()}");

    private Task<PatroniCommandResult> Post(Uri member, string what)
    {
        Posts++;
        Sent.Add(what);
        var result = _answers.Dequeue()(member);
        AfterPost?.Invoke(Posts);
        return Task.FromResult(result);
    }
}
