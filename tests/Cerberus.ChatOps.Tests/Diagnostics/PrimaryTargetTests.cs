using System.Text.Json;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>Where the database probes connect, and which standbys the leader should see.</summary>
public sealed class PrimaryTargetTests
{
    private static readonly PostgresEndpoint LeaderEndpoint = new("10.0.0.2", 5433);

    private static PatroniMember Member(string name, string role, string state = "running", string? tags = null) =>
        new() { Name = name, Role = role, State = state, Host = "10.0.0.9", Port = 5432, Tags = tags is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(tags) };

    private static PrimaryResolution Resolution(string? configuredSysid = "7715", string? clusterSysid = "7715") => new()
    {
        Leader = LeaderEndpoint,
        LeaderName = "pg2",
        ClusterSystemIdentifier = clusterSysid,
        Members = [Member("pg1", "replica"), Member("pg2", "leader"), Member("pg3", "replica", "stopped"), Member("pg4", "replica", tags: """{"replicatefrom":"pg1"}""")],
        Configured = new ServerIdentity(true, configuredSysid, "2026-12-03 10:00:00+00", null),
    };

    [Fact]
    public void Endpoint_ConfiguredTargetInTheCluster_IsTheLeader()
    {
        // arrange
        var resolution = Resolution();

        // act
        var endpoint = resolution.Endpoint;

        // assert
        Assert.Equal(LeaderEndpoint, endpoint);
        Assert.False(resolution.ConfiguredOutsideCluster);
    }

    [Fact]
    public void Endpoint_ConfiguredDatabaseOfAnotherCluster_StaysOnTheConfiguredTarget()
    {
        // arrange
        var resolution = Resolution(configuredSysid: "1111", clusterSysid: "7715");

        // act
        var endpoint = resolution.Endpoint;

        // assert
        Assert.Null(endpoint);
        Assert.True(resolution.ConfiguredOutsideCluster);
    }

    [Fact]
    public void MissingStandbys_ReplicaWithoutPgStatReplicationRow_ListedWithItsPatroniState()
    {
        // arrange
        var context = new PostgresProbeContext(LeaderEndpoint, LeaderEndpoint.ToString(), Resolution());

        // act
        var missing = ReplicationProbe.MissingStandbys(context, ["pg1"]);

        // assert: pg4 cascades from pg1, so the leader does not see it
        Assert.Equal(["pg3 (stopped in Patroni)"], missing);
    }

    [Fact]
    public void MissingStandbys_NotOnPatroniLeader_NotJudged()
    {
        // arrange
        var context = new PostgresProbeContext(null, "db:5432", Resolution());

        // act
        var missing = ReplicationProbe.MissingStandbys(context, []);

        // assert
        Assert.Empty(missing);
    }

    [Fact]
    public void Create_WithLeaderEndpoint_KeepsCredentialsAndDatabaseOnTheLeadersHostAndPort()
    {
        // arrange
        var options = new PostgresOptions { ConnectionString = "Host=a,b;Port=5432;Username=cerberus_monitor;Password=pw;Database=cerberus;Target Session Attributes=primary" };
        var sut = new PostgresConnectionFactory(Options.Create(options));

        // act
        using var connection = sut.Create(LeaderEndpoint);

        // assert
        var b = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
        Assert.Equal("10.0.0.2", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal("cerberus_monitor", b.Username);
        Assert.Equal("cerberus", b.Database);
        Assert.Null(b.TargetSessionAttributes);
        Assert.Equal(new PostgresEndpoint("a", 5432), sut.ConfiguredEndpoint);
    }

    [Fact]
    public void SameServerAs_SameClusterOtherPostmasterStart_False()
    {
        // arrange
        var identity = new ServerIdentity(false, "7715", "2026-12-03 10:00:00.1+00", null);

        // act
        var same = identity.SameServerAs("7715", "2026-12-03 10:00:00.2+00");

        // assert
        Assert.False(same);
    }
}
