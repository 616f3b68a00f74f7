using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class PrimaryResolverTests
{
    private static readonly Uri M1 = FakePatroniClient.Url(1);
    private static readonly Uri M2 = FakePatroniClient.Url(2);

    // Port 1 on loopback refuses at once: the configured target's identity check fails fast.
    private const string Configured = "Host=127.0.0.1;Port=1;Username=cerberus_monitor;Password=not-a-secret;Database=cerberus";

    private static PrimaryResolver CreateSut(FakePatroniClient patroni, FakePatroniIdentityClient identities, bool follow = true)
    {
        var connections = new PostgresConnectionFactory(Options.Create(new PostgresOptions { ConnectionString = Configured, FollowPatroniLeader = follow }));
        return new PrimaryResolver(patroni, identities, connections, new PrimaryResolutionCache(TimeProvider.System), TimeProvider.System, NullLogger<PrimaryResolver>.Instance);
    }

    private static FakePatroniClient Cluster()
    {
        var cluster = FakePatroniClient.Cluster("pg1", ("pg2", "running", 0, 4));
        return new FakePatroniClient(M1, M2).WithCluster(M1, cluster).WithCluster(M2, cluster);
    }

    [Fact]
    public async Task ResolveAsync_PatroniNamesALeader_LeadersHostAndPortAndClusterIdentifier()
    {
        // arrange
        var identities = new FakePatroniIdentityClient();
        identities.Identities[M2] = new PatroniIdentity(M2, "7715019069647126828", "replica", "cerberus-cluster");
        var sut = CreateSut(Cluster(), identities);

        // act
        var resolution = await sut.ResolveAsync(CancellationToken.None);

        // assert
        Assert.Equal(new PostgresEndpoint("127.0.0.1", 5432), resolution.Endpoint);
        Assert.Equal("pg1", resolution.LeaderName);
        Assert.Equal("7715019069647126828", resolution.ClusterSystemIdentifier);
        Assert.Equal("cerberus-cluster", resolution.Scope);
        Assert.Equal(2, resolution.Members.Count);
        Assert.False(resolution.Configured!.Answered);
        Assert.Null(resolution.PatroniProblem);
    }

    [Fact]
    public async Task ResolveAsync_NoMemberAnswers_ConfiguredTargetWithTheReason()
    {
        // arrange
        var patroni = new FakePatroniClient(M1, M2).Hung(M1).Hung(M2);
        var sut = CreateSut(patroni, new FakePatroniIdentityClient());

        // act
        var resolution = await sut.ResolveAsync(CancellationToken.None);

        // assert
        Assert.Null(resolution.Endpoint);
        Assert.Equal("no Patroni member answered /cluster in time", resolution.PatroniProblem);
    }

    [Fact]
    public async Task ResolveAsync_FollowingTheLeaderSwitchedOff_None()
    {
        // arrange
        var sut = CreateSut(Cluster(), new FakePatroniIdentityClient(), follow: false);

        // act
        var resolution = await sut.ResolveAsync(CancellationToken.None);

        // assert
        Assert.Same(PrimaryResolution.None, resolution);
    }

    [Fact]
    public async Task ResolveAsync_TwoProbesAtOnce_ShareOneResolution()
    {
        // arrange
        var sut = CreateSut(Cluster(), new FakePatroniIdentityClient());

        // act
        var first = sut.ResolveAsync(CancellationToken.None);
        var second = sut.ResolveAsync(CancellationToken.None);

        // assert
        Assert.Same(await first, await second);
    }

    [Fact]
    public void Budget_DefaultTimeouts_LeavesTheConnectTimeout()
    {
        // arrange
        var sut = CreateSut(Cluster(), new FakePatroniIdentityClient());

        // act
        var budget = sut.Budget;

        // assert: ProbeTimeout 8 s − ConnectTimeout 5 s − 1 s of queries
        Assert.Equal(TimeSpan.FromSeconds(2), budget);
    }
}
