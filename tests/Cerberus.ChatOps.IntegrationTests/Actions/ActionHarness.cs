using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>Builds the product's actions against the lab, with the product's own Patroni client.</summary>
internal sealed class ActionHarness(LabEnvironment lab)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(40) };

    public ActionsOptions ActionsOptions { get; } = new()
    {
        PostgresConnectionString = lab.PostgresConnectionString,
        VerifyDatabase = "postgres",
        VerifyDeadline = TimeSpan.FromSeconds(60),
        PollInterval = TimeSpan.FromMilliseconds(500),
        WalRateSampleInterval = TimeSpan.FromSeconds(1),
    };

    public CleanupOptions CleanupOptions { get; } = new() { PauseInterval = TimeSpan.FromMilliseconds(200) };

    public PatroniClient Patroni() => new(
        new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
        Options.Create(new PatroniOptions
        {
            Urls = [.. lab.PatroniUrls.Select(u => u.ToString())],
            Username = lab.PatroniUser,
            Password = lab.PatroniPassword,
        }),
        TimeProvider.System,
        NullLogger<PatroniClient>.Instance);

    public PostgresConnector Connector() => new(Options.Create(ActionsOptions));

    public PatroniFailoverAction Failover(RemediationKind kind) =>
        new(kind, Patroni(), Connector(), Options.Create(ActionsOptions), TimeProvider.System, NullLogger<PatroniFailoverAction>.Instance);

    /// <summary>The clean-up; free space comes from <paramref name="kubernetes"/> (a fake API server's df), else it is unknown (Kubernetes off).</summary>
    public AuditLogCleanupAction Cleanup(KubernetesAccess? kubernetes = null) =>
        new(Connector(), FakeCluster.Meter(kubernetes ?? FakeCluster.Off()),
            Options.Create(CleanupOptions), Options.Create(ActionsOptions), TimeProvider.System, NullLogger<AuditLogCleanupAction>.Instance);

    public DropReplicationSlotAction DropSlot() =>
        new(Connector(), Patroni(), Options.Create(ActionsOptions), TimeProvider.System, NullLogger<DropReplicationSlotAction>.Instance);

    public CheckpointAction Checkpoint() =>
        new(Connector(), Options.Create(ActionsOptions), TimeProvider.System, NullLogger<CheckpointAction>.Instance);

    /// <summary>The session clean-up; its thresholds and the diagnostics role come from <paramref name="diagnostics"/>.</summary>
    public TerminateSessionsAction TerminateSessions(PostgresOptions diagnostics) =>
        new(Connector(), Options.Create(ActionsOptions), Options.Create(diagnostics), TimeProvider.System, NullLogger<TerminateSessionsAction>.Instance);

    /// <summary>VACUUM (FREEZE) with the clean-up's disk rules; free space is unknown (Kubernetes off) unless <paramref name="kubernetes"/> measures it.</summary>
    public VacuumFreezeAction VacuumFreeze(PostgresOptions diagnostics, KubernetesAccess? kubernetes = null) =>
        new(Connector(), FakeCluster.Meter(kubernetes ?? FakeCluster.Off()),
            Options.Create(CleanupOptions), Options.Create(ActionsOptions), Options.Create(diagnostics), TimeProvider.System, NullLogger<VacuumFreezeAction>.Instance);

    public AnalyzeAction Analyze() =>
        new(Connector(), Options.Create(ActionsOptions), TimeProvider.System, NullLogger<AnalyzeAction>.Instance);

    /// <summary>The replica rebuild; the lag threshold of its verification is <paramref name="diagnostics"/>' ReplicaLagWarnBytes (default 64 MiB).</summary>
    public ReinitializeReplicaAction Reinitialize(PostgresOptions? diagnostics = null) =>
        new(Patroni(), new LeaderReplicationAccess(Connector()), Options.Create(ActionsOptions), Options.Create(diagnostics ?? new PostgresOptions()),
            TimeProvider.System, NullLogger<ReinitializeReplicaAction>.Instance);

    public static ProposalRequest Request(DateTimeOffset? now = null, bool dryRun = false, params (string Key, string Value)[] arguments) =>
        new("INC-LAB", "act-" + Guid.NewGuid().ToString("N")[..8], "U-TEST", now ?? DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), dryRun,
            arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));

    /// <summary>PATCH /config {"pause": value}: maintenance mode, in which Patroni never fails over by itself.</summary>
    public async Task SetPauseAsync(bool pause)
    {
        foreach (var url in lab.PatroniUrls)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(url, "/config"))
                {
                    Content = new StringContent(JsonSerializer.Serialize(new { pause }), Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{lab.PatroniUser}:{lab.PatroniPassword}")));
                using var response = await Http.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
        }

        throw new InvalidOperationException($"no member accepted PATCH /config pause={pause}");
    }

    /// <summary>Waits until every answering member's /patroni reports the pause state.</summary>
    public async Task WaitPauseSeenAsync(bool pause, IEnumerable<Uri> members, TimeSpan limit)
    {
        var client = Patroni();
        await Eventually.Async(
            async () =>
            {
                var all = true;
                var seen = new List<string>();
                foreach (var m in members)
                {
                    var status = (await client.GetStatusAsync(m, CancellationToken.None)).Value;
                    all &= (status?.Pause ?? false) == pause;
                    seen.Add($"{m.Authority} pause={status?.Pause.ToString() ?? "no answer"}");
                }

                return (All: all, Seen: seen);
            },
            read => read.All,
            limit,
            $"pause={pause} not seen",
            Eventually.ServerInterval,
            read => string.Join(", ", read.Seen));
    }

    public static async Task SignalAsync(string signal, int pid)
    {
        using var process = Process.Start("kill", $"-{signal} {pid}") ?? throw new InvalidOperationException("kill did not start");
        await process.WaitForExitAsync();
    }
}
