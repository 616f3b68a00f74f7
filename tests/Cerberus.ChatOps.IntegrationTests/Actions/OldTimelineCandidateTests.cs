using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>
/// A replica left on an older timeline than the leader, made for real on the lab: the replica's replication is
/// rejected at the leader's pg_hba.conf, and with the cluster paused the leader's PostgreSQL is restarted as a standby
/// and promoted in place (timeline t → t + 1). Patroni 3.0.2 still lists the replica running, on timeline t, lag
/// small: LSNs of two timelines compare as numbers. The bot must not offer it as a plain candidate.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class OldTimelineCandidateTests(LabFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Propose_ReplicaOnTheOldTimeline_RiskAcceptanceNamingBothTimelinesAndNoLossFigure()
    {
        // arrange
        var lab = fixture.Lab;
        var harness = new ActionHarness(lab);
        var (leader, timeline) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(Settle));
        var names = lab.PatroniNames.ToList();
        var replica = names.Single(n => n != leader);
        var leaderIndex = names.IndexOf(leader!);
        var leaderPg = lab.PatroniPostgres[leaderIndex];
        var hba = Path.Combine(lab.Directory, "patroni", leader!, "data", "pg_hba.conf");
        var original = await File.ReadAllTextAsync(hba);
        var paused = false;
        try
        {
            await File.WriteAllTextAsync(hba, "host replication all 127.0.0.1/32 reject\n" + original);
            await ExecAsync(leaderPg, "SELECT pg_reload_conf()");
            await ExecAsync(leaderPg, "SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
            await harness.SetPauseAsync(true);
            paused = true;
            await harness.WaitPauseSeenAsync(true, lab.PatroniUrls, TimeSpan.FromSeconds(30));
            await lab.RunScriptAsync("promote-in-place", (leaderIndex + 1).ToString(CultureInfo.InvariantCulture));
            await harness.SetPauseAsync(false);
            paused = false;
            await Eventually.Async(
                () => fixture.Patroni.GetClusterAsync(),
                cluster => PatroniLab.LeaderOf(cluster) == (leader, timeline + 1) && TimelineOf(cluster, replica) == timeline,
                TimeSpan.FromSeconds(60),
                $"{leader} never led on timeline {timeline + 1} with {replica} left on {timeline}",
                Eventually.ServerInterval);

            // act
            var action = harness.Failover(RemediationKind.Switchover);
            var named = await action.ProposeAsync(ActionHarness.Request(arguments: ("candidate", replica)), CancellationToken.None);
            var record = named.Action!;
            output.WriteLine($"{record.RiskWarning}\n{record.BasedOn}");

            // assert
            Assert.True(named.Action is not null, named.NotApplicableReason);
            Assert.NotNull(record.RiskWarning);
            Assert.Contains($"it is on timeline {timeline}, the leader's is {timeline + 1}", record.RiskWarning, StringComparison.Ordinal);
            Assert.Contains($"discards everything written on timeline {timeline + 1}", record.RiskWarning, StringComparison.Ordinal);
            Assert.Contains("off_timeline", record.Parameters["risk"], StringComparison.Ordinal);
            Assert.Equal("unknown", record.Figures[ActionFigureKeys.EstimatedLossBytes]);
            Assert.Contains($"{replica}: running, timeline {timeline}, lag unknown", record.BasedOn, StringComparison.Ordinal);
            Assert.Contains("⚠ another timeline", record.BasedOn, StringComparison.Ordinal);
        }
        finally
        {
            if (paused)
            {
                await harness.SetPauseAsync(false);
            }

            await File.WriteAllTextAsync(hba, original);
            await ExecAsync(leaderPg, "SELECT pg_reload_conf()");
            await Eventually.Async(() => fixture.Patroni.GetClusterAsync(), cluster => TimelineOf(cluster, replica) == PatroniLab.LeaderOf(cluster).Timeline,
                Settle, $"{replica} did not follow the new timeline", Eventually.ServerInterval);
            await fixture.Patroni.WaitSettledAsync(Settle);
        }
    }

    private static int? TimelineOf(System.Text.Json.JsonElement cluster, string name) =>
        cluster.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("name").GetString() == name && m.TryGetProperty("timeline", out _))
            .Select(m => (int?)m.GetProperty("timeline").GetInt32())
            .FirstOrDefault();

    private static async Task ExecAsync(string connectionString, string sql)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
