using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Lab;

/// <summary>Proves the lab itself: real PostgreSQL, a real Patroni cluster, a real switchover.</summary>
[Collection(LabCollection.Name)]
public sealed class LabTests(LabFixture fixture)
{
    [Fact]
    public async Task Standalone_Postgres_AnswersAsSuperuserAndAsMonitor()
    {
        // arrange
        var lab = fixture.Lab;

        // act
        await using var admin = new NpgsqlConnection(lab.PostgresConnectionString);
        await admin.OpenAsync();
        await using var version = new NpgsqlCommand("SHOW server_version_num", admin);
        var serverVersion = int.Parse((string)(await version.ExecuteScalarAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        await using var monitor = new NpgsqlConnection(lab.MonitorConnectionString);
        await monitor.OpenAsync();
        await using var member = new NpgsqlCommand("SELECT pg_has_role(current_user, 'pg_monitor', 'member')", monitor);
        var isMonitor = (bool)(await member.ExecuteScalarAsync())!;

        // assert
        Assert.InRange(serverVersion, 150000, 159999);
        Assert.True(isMonitor);
    }

    [Fact]
    public async Task Patroni_Switchover_ChangesLeaderAndIncreasesTimeline()
    {
        // arrange
        var patroni = fixture.Patroni;
        var before = await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (leader, timeline) = PatroniLab.LeaderOf(before);
        Assert.NotNull(leader);
        var candidate = fixture.Lab.PatroniNames.Single(n => n != leader);

        // act
        var (status, body) = await patroni.SwitchoverAsync(leader!, candidate);
        var after = await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        var (newLeader, newTimeline) = PatroniLab.LeaderOf(after);

        // assert
        Assert.True(status == 200, $"switchover answered {status}: {body}");
        Assert.Equal(candidate, newLeader);
        Assert.Equal(timeline + 1, newTimeline);
    }
}
