using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Store.Sqlite;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>
/// The leader watch and the fence against the lab's real Patroni 3.0.2 pair: a switchover and the switch back seen by
/// the watch; a real stale primary (the leader's Patroni killed, so its PostgreSQL keeps running as a primary, and the
/// leader key deleted so the replica takes over at once) seen by the watch, fenced through a proposal, an approval by a
/// second roster member and the pod delete (the fake API server's hook stops the member as the kubelet would and
/// starts it again as its StatefulSet would), and verified when it is back as a replica. Roles float: by name.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class FenceStalePrimaryLabTests(LabFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(120);

    private const string Starter = "U0STARTER";

    private const string Approver = "U0APPROVER";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cerberus-fence-lab-" + Guid.NewGuid().ToString("N"));

    private SqliteIncidentStore _store = null!;

    private ServiceProvider _services = null!;

    private LabEnvironment Lab => fixture.Lab;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteIncidentStore($"Data Source={Path.Combine(_directory, "cerberus.db")}", TimeProvider.System, NullLogger<SqliteIncidentStore>.Instance);
        await _store.InitializeAsync(CancellationToken.None);
        var harness = new ActionHarness(Lab);

        // The watch's PostgreSQL check uses the diagnostics' role; in the lab the members know the superuser only.
        _services = new ServiceCollection()
            .AddSingleton<IPatroniClient>(harness.Patroni())
            .AddSingleton(new PostgresConnectionFactory(Options.Create(new PostgresOptions { ConnectionString = Lab.PatroniPostgres[0] })))
            .Configure<IncidentOptions>(_ => { })
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private IncidentMutator Mutator() => new(_store, _store, new OutboxSignal(), _services.GetRequiredService<IOptionsMonitor<IncidentOptions>>(), TimeProvider.System, NullLogger<IncidentMutator>.Instance);

    private LeaderWatcher Watcher() =>
        new(_store, Mutator(), _services.GetRequiredService<IServiceScopeFactory>(), _services.GetRequiredService<IOptionsMonitor<IncidentOptions>>(), TimeProvider.System, NullLogger<LeaderWatcher>.Instance);

    private async Task<string> DeclareAsync()
    {
        var incident = Incident.Declare("INC-2026-0042", "C0LAB", "API returns 500s", Starter, DateTimeOffset.UtcNow);
        await _store.SaveAsync(incident, [], CancellationToken.None);
        return incident.Id;
    }

    private async Task<List<string>> ThreadTextsAsync() =>
        [.. (await _store.ListDueAsync(DateTimeOffset.MaxValue, 10_000, 10_000, CancellationToken.None))
            .Where(i => i.Kind == OutboxKinds.Thread).Select(i => SlackMessageJson.Deserialize(i.Payload).Text)];

    private async Task<string> LastHeaderAsync() =>
        SlackMessageJson.Deserialize((await _store.ListDueAsync(DateTimeOffset.MaxValue, 10_000, 10_000, CancellationToken.None))
            .Last(i => i.Kind == OutboxKinds.Update && i.MessageRef == OutboxBatch.HeaderRef).Payload).Blocks!.ToJsonString();

    /// <summary>Watch passes until one posts an event of <paramref name="kind"/> (a switch shows in /cluster within a loop or two).</summary>
    private static async Task<IReadOnlyList<LeaderWatchEvent>> WatchUntilAsync(LeaderWatcher watcher, LeaderWatchEventKind kind, TimeSpan limit)
    {
        var seen = new List<LeaderWatchEvent>();
        await Eventually.Async(
            async () =>
            {
                seen.AddRange(await watcher.WatchOnceAsync(CancellationToken.None));
                return seen.Any(e => e.Kind == kind);
            },
            found => found,
            limit,
            $"the leader watch posted no {kind}",
            TimeSpan.FromMilliseconds(250),
            _ => string.Join(" | ", seen.Select(e => e.Text)));
        return seen;
    }

    [Fact]
    public async Task Watch_RealSwitchoverThenSwitchBack_PostsTheChangeThenTheFlipBack()
    {
        // arrange
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var other = Lab.PatroniNames.Single(n => n != leader);
        var id = await DeclareAsync();
        var watcher = Watcher();

        // The first look starts the watch at once when /history's last switch is younger than 30 min (the lab's other
        // tests switch over): then the member that led before it is already a former leader.
        var first = await watcher.WatchOnceAsync(CancellationToken.None);
        var otherLedBefore = first.Any(e => e.Kind == LeaderWatchEventKind.LeaderChanged && e.Member == other);

        // act
        var clock = Stopwatch.StartNew();
        var (status, body) = await fixture.Patroni.SwitchoverAsync(leader!, other);
        Assert.True(status == 200, body);
        var changed = await WatchUntilAsync(watcher, otherLedBefore ? LeaderWatchEventKind.FlipBack : LeaderWatchEventKind.LeaderChanged, TimeSpan.FromSeconds(30));
        var seenChange = clock.Elapsed;
        await fixture.Patroni.WaitSettledAsync(Settle);
        clock.Restart();
        (status, body) = await fixture.Patroni.SwitchoverAsync(other, leader!);
        Assert.True(status == 200, body);
        var flipped = await WatchUntilAsync(watcher, LeaderWatchEventKind.FlipBack, TimeSpan.FromSeconds(30));
        output.WriteLine($"change seen {seenChange.TotalSeconds:0.0} s after the switchover POST, flip-back {clock.Elapsed.TotalSeconds:0.0} s after the switch back");
        await fixture.Patroni.WaitSettledAsync(Settle);

        // assert
        Assert.All(first, e => Assert.Equal(LeaderWatchEventKind.LeaderChanged, e.Kind));
        var change = changed.Single(e => e.Leader == other);
        Assert.Equal(otherLedBefore ? other : leader, change.Member);
        Assert.Equal(timeline + 1, change.LeaderTimeline);
        var flip = flipped.Single(e => e.Kind == LeaderWatchEventKind.FlipBack && e.Leader == leader);
        Assert.StartsWith($"flip-back: {leader}, a former leader, holds the leader key again (from {other})", flip.Text, StringComparison.Ordinal);
        Assert.Equal("3.0.2", flip.PatroniVersion);
        var threads = await ThreadTextsAsync();
        Assert.Contains(threads, t => otherLedBefore
            ? t.Contains($"*Leader FLIP-BACK* in INC-2026-0042: flip-back: {other}, a former leader, holds the leader key again (from {leader})", StringComparison.Ordinal)
            : t.StartsWith($":eyes: Leader watch: leader change {leader} → {other} (timeline {timeline + 1}; seen in /cluster)", StringComparison.Ordinal));
        Assert.Contains(threads, t => t.Contains("*Leader FLIP-BACK* in INC-2026-0042", StringComparison.Ordinal) && t.Contains("Patroni 3.0.2 has the stale-primary bug", StringComparison.Ordinal));
        Assert.DoesNotContain(threads, t => t.Contains("STALE PRIMARY", StringComparison.Ordinal));
        Assert.Contains("FLIP-BACK", await LastHeaderAsync(), StringComparison.Ordinal);
        var incident = await _store.GetAsync(id, CancellationToken.None);
        Assert.Equal(new[] { leader!, other }.Order(StringComparer.Ordinal), incident!.LeaderWatch!.FormerLeaders.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fence_RealStalePrimary_WatchAlarmsThenProposedApprovedDeletedAndRejoins()
    {
        // arrange: the fault. The leader's Patroni dies (kill -9: its PostgreSQL keeps running as a primary), and its
        // leader key is deleted so that the replica wins the race at once instead of after the 20 s ttl.
        var (stale, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var healthy = Lab.PatroniNames.Single(n => n != stale);
        var node = (Lab.PatroniNames.ToList().IndexOf(stale!) + 1).ToString(CultureInfo.InvariantCulture);
        var stalePostgres = Lab.PatroniPostgres[int.Parse(node, CultureInfo.InvariantCulture) - 1];
        var id = await DeclareAsync();
        var watcher = Watcher();
        await watcher.WatchOnceAsync(CancellationToken.None);
        await using var kube = await FakeKubernetesApiServer.StartAsync();
        kube.AddPod(KubeObjects.PatroniPod(stale!, "master", "127.0.0.1"));
        kube.AddPod(KubeObjects.PatroniPod(healthy, "replica", "127.0.0.1"));
        kube.PodTerminationDelay = TimeSpan.FromSeconds(1);
        Task? kubelet = null;
        kube.PodDeleted = pod => kubelet = pod == stale ? Task.Run(async () =>
        {
            // The kubelet stops the containers (SIGTERM, SIGKILL after the grace period); the StatefulSet starts it again.
            await Lab.RunScriptAsync("stop-node", node);
            await Lab.RunScriptAsync("start-node", node);
        }) : null;
        var harness = new ActionHarness(Lab);
        var action = new FenceOldLeaderAction(harness.Patroni(), harness.Connector(), FakeCluster.Access(kube, o => o.FencePods = true),
            Options.Create(harness.ActionsOptions), TimeProvider.System, NullLogger<FenceOldLeaderAction>.Instance);
        var restored = false;
        try
        {
            await ActionHarness.SignalAsync("KILL", int.Parse(await File.ReadAllTextAsync(Path.Combine(Lab.Directory, "pids", "patroni" + node)), CultureInfo.InvariantCulture));
            await DeleteLeaderKeyAsync();
            var clock = Stopwatch.StartNew();

            // act: the watch sees the stale primary; then propose, approve (a second roster member), execute, verify
            var alarms = await WatchUntilAsync(watcher, LeaderWatchEventKind.StalePrimary, TimeSpan.FromSeconds(30));
            var seen = clock.Elapsed;
            var stillPrimary = await LabSql.ScalarAsync<bool>(stalePostgres, "SELECT NOT pg_is_in_recovery()");
            var proposal = await action.ProposeAsync(
                new ProposalRequest(id, "A-fence-lab", Starter, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), false, new Dictionary<string, string>()), CancellationToken.None);
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            var record = proposal.Action!;
            var (approvedAs, refusedSelf) = await ApproveAsync(id, record);
            var observed = await action.ObserveAsync(record, CancellationToken.None);
            clock.Restart();
            var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
            Assert.True(executed.Succeeded, executed.Summary);
            var verified = await action.VerifyAsync(record, CancellationToken.None);
            output.WriteLine($"stale primary seen {seen.TotalSeconds:0.0} s after the fault; delete → back as a replica {clock.Elapsed.TotalSeconds:0.0} s; {executed.Summary} / {verified.Summary}");
            if (kubelet is not null)
            {
                await kubelet;
                restored = true;
            }

            // assert
            var alarm = alarms.Single(e => e.Kind == LeaderWatchEventKind.StalePrimary);
            Assert.Equal(stale, alarm.Member);
            Assert.Equal(healthy, alarm.Leader);
            Assert.Contains("answers pg_is_in_recovery() = false", alarm.Text, StringComparison.Ordinal);
            Assert.True(stillPrimary, "the stale member's PostgreSQL was no longer a primary when the watch reported it");
            Assert.Contains((await ThreadTextsAsync()), t => t.Contains("*STALE PRIMARY*", StringComparison.Ordinal) && t.Contains($"`/dbincident propose fence {stale}`", StringComparison.Ordinal));
            Assert.Equal(stale, record.Target);
            Assert.Contains($"`DELETE /api/v1/namespaces/cerberus/pods/{stale} {{\"gracePeriodSeconds\":5,", record.Description, StringComparison.Ordinal);
            Assert.Contains("pg_is_in_recovery() = false: a primary without the leader key", record.BasedOn, StringComparison.Ordinal);
            Assert.Contains("Patroni 3.0.2 has the stale-primary bug", record.BasedOn, StringComparison.Ordinal);
            Assert.True(refusedSelf, "the proposer could approve their own risky action");
            Assert.True(approvedAs.Succeeded, approvedAs.ToString());
            Assert.Equal(record.ObservedFingerprint, observed);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.Single(kube.Requests, r => r.Method == "DELETE");
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.StartsWith($"{stale} is back as a running replica on timeline {timeline + 1}", verified.Summary, StringComparison.Ordinal);
            Assert.Equal("replica", verified.Figures[ActionFigureKeys.OldLeaderState]);
            NpgsqlConnection.ClearAllPools(); // the pooled connection of the check above died with the fenced server
            Assert.True(await LabSql.ScalarAsync<bool>(stalePostgres, "SELECT pg_is_in_recovery()"));
            var rejoined = await WatchUntilAsync(watcher, LeaderWatchEventKind.Rejoined, TimeSpan.FromSeconds(10));
            Assert.Equal(stale, rejoined.Single(e => e.Kind == LeaderWatchEventKind.Rejoined).Member);
        }
        finally
        {
            if (!restored)
            {
                await Lab.RunScriptAsync("stop-node", node);
                await Lab.RunScriptAsync("start-node", node);
            }

            NpgsqlConnection.ClearAllPools();
            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    /// <summary>The proposal goes through the incident's ledger: the proposer may not approve it (risky tier), a second roster member may.</summary>
    private async Task<(DomainResult Approved, bool RefusedSelf)> ApproveAsync(string id, ActionRecord record)
    {
        var incident = (await _store.GetAsync(id, CancellationToken.None))!;
        var now = DateTimeOffset.UtcNow;
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { Starter, Approver }, SecondPersonRule.Risky, TimeSpan.FromMinutes(15));
        incident.BeginDiagnosis(Starter, now);
        incident.CompleteDiagnosis(new DiagnosisReport(now, now, [], Classification.Inconclusive, "Split brain", [RemediationKind.FenceOldLeader]), now);
        Assert.True(incident.ProposeAction(record, policy, now).Succeeded);
        var self = incident.Approve(record.Id, record.ProposedBy, riskAccepted: false, policy, now);
        var approved = incident.Approve(record.Id, Approver, riskAccepted: false, policy, now);
        Assert.True(incident.MarkStarted(record.Id, now).Succeeded);
        await _store.SaveAsync(incident, [], CancellationToken.None);
        return (approved, !self.Succeeded);
    }

    /// <summary>Deletes the leader key through etcd's v3 JSON gateway (Patroni's etcd3 namespace is /service).</summary>
    private async Task DeleteLeaderKeyAsync()
    {
        var etcd = Environment.GetEnvironmentVariable("CERBERUS_LAB_ETCD") ?? throw new InvalidOperationException(LabEnvironment.HowToStart);
        var key = Convert.ToBase64String(Encoding.UTF8.GetBytes($"/service/{Lab.PatroniScope}/leader"));
        using var response = await Http.PostAsJsonAsync(new Uri(new Uri(etcd), "/v3/kv/deleterange"), new { key });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && body.Contains("\"deleted\":\"1\"", StringComparison.Ordinal), body);
    }
}
