using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>
/// The replica rebuild against a scripted Patroni (3.0.2 JSON and answers) and a scripted leader: who is refused and
/// why, the card, the re-check before the POST, the 503 answers, a lost answer, and the member's states watched.
/// </summary>
public sealed class ReinitializeReplicaActionTests
{
    private const string LeaderStatus = """{"state":"running","role":"master","timeline":4,"xlog":{"location":83886080},"patroni":{"version":"3.0.2","scope":"c"}}""";

    private static string Cluster(string pg2State = "running", int pg2Timeline = 4, string pg2Role = "replica", string? pg2Tags = null) => $$"""
        {"members":[
          {"name":"pg1","role":"leader","state":"running","api_url":"http://10.0.0.1:8008/patroni","host":"10.0.0.1","port":5432,"timeline":4},
          {"name":"pg2","role":"{{pg2Role}}","state":"{{pg2State}}","api_url":"http://10.0.0.2:8008/patroni","host":"10.0.0.2","port":5432,"timeline":{{pg2Timeline}},"lag":201326904{{(pg2Tags is null ? string.Empty : ",\"tags\":" + pg2Tags)}}}
        ]}
        """;

    private static string ReplicaStatus(string state, string role = "replica", string started = "2026-12-04 18:55:21.540083+00:00") =>
        $$"""{"state":"{{state}}","role":"{{role}}","postmaster_start_time":"{{started}}","timeline":4,"patroni":{"version":"3.0.2","scope":"c"} }""";

    private static (ReinitializeReplicaAction Sut, FakePatroniClient Patroni, FakeLeaderReplicationAccess Leader) CreateSut(string? cluster = null)
    {
        var patroni = new FakePatroniClient
        {
            ClusterJson = _ => cluster ?? Cluster(),
            StatusJson = (name, _) => name == "pg1" ? LeaderStatus : ReplicaStatus("running"),
        };
        var leader = new FakeLeaderReplicationAccess { Replication = FakeLeaderReplicationAccess.NotStreaming("pg2") };
        var options = new ActionsOptions
        {
            PostgresConnectionString = "Host=10.0.0.1;Username=op;Password=x",
            PollInterval = TimeSpan.FromMilliseconds(1),
            VerifyDeadline = TimeSpan.Zero,
            ReinitializeTimeout = TimeSpan.FromSeconds(5),
        };
        var sut = new ReinitializeReplicaAction(patroni, leader, Options.Create(options), Options.Create(new PostgresOptions()), TimeProvider.System,
            NullLogger<ReinitializeReplicaAction>.Instance);
        return (sut, patroni, leader);
    }

    private static ProposalRequest Request(string? member = "pg2") =>
        new("INC-1", "act-1", "U-IC", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), false,
            member is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ReinitializeReplicaAction.MemberArgument] = member });

    [Fact]
    public async Task ProposeAsync_TheLeader_RefusedNeverReinitialised()
    {
        // arrange
        var (sut, patroni, _) = CreateSut();

        // act
        var proposal = await sut.ProposeAsync(Request("pg1"), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("pg1 is the leader: a leader is never reinitialised", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("switch over first", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Empty(patroni.Sent);
    }

    [Fact]
    public async Task ProposeAsync_UnknownMember_RefusedListingTheMembers()
    {
        // arrange
        var (sut, _, _) = CreateSut();

        // act
        var proposal = await sut.ProposeAsync(Request("postgres-replica"), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Equal(
            "'postgres-replica' is not a member of the Patroni cluster (members are Patroni names from /cluster, not pod or deployment names such as postgres-replica). Members: pg1 (leader), pg2 (replica).",
            proposal.NotApplicableReason);
    }

    [Theory]
    [InlineData("""{"state":"stopped","role":"master","timeline":4}""", "pg1 answers /patroni as stopped master, not as a running primary")]
    [InlineData(null, "pg1 does not answer /patroni (connection refused or unreachable)")]
    public async Task ProposeAsync_LeaderNotHealthy_Refused(string? leaderStatus, string expected)
    {
        // arrange
        var (sut, patroni, _) = CreateSut();
        patroni.StatusJson = (name, _) => name == "pg1" ? leaderStatus : ReplicaStatus("running");

        // act
        var proposal = await sut.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains($"A rebuild copies the database from the leader, and {expected}: nothing is reinitialised until the leader is healthy", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeAsync_NoLeaderInCluster_Refused()
    {
        // arrange
        var (sut, _, _) = CreateSut(Cluster().Replace("\"role\":\"leader\"", "\"role\":\"replica\"", StringComparison.Ordinal));

        // act
        var proposal = await sut.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("/cluster shows no leader", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("Cluster has no leader, can not reinitialize", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeAsync_HealthyOnlyReplica_RefusedAsTheOnlyStandby()
    {
        // arrange
        var (sut, _, leader) = CreateSut(Cluster(pg2Role: "sync_standby"));
        leader.Replication = FakeLeaderReplicationAccess.Streaming("pg2", 0);

        // act
        var proposal = await sut.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("pg2 does not need a rebuild: running, timeline 4", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("streaming (async) in pg_stat_replication on pg1", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("it is the synchronous standby, and it is the only healthy replica: the leader would have no standby", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeAsync_ReplicaAlreadyCreating_RefusedWhilePatroniWorks()
    {
        // arrange
        var (sut, _, _) = CreateSut(Cluster(pg2State: "creating replica"));

        // act
        var proposal = await sut.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Equal("pg2 is creating replica: Patroni is already working on it. Propose again once it settles (patronictl list).", proposal.NotApplicableReason);
    }

    [Fact]
    public async Task ProposeAsync_CascadingReplica_RefusedStreamNotOnTheLeader()
    {
        // arrange: pg2 streams from pg3 (tag replicatefrom), a member too
        var cluster = Cluster(pg2Tags: """{"replicatefrom":"pg3"}""").Replace("]}", """,{"name":"pg3","role":"replica","state":"running","api_url":"http://10.0.0.3:8008/patroni","timeline":4,"lag":0}]}""", StringComparison.Ordinal);
        var (sut, _, _) = CreateSut(cluster);

        // act
        var proposal = await sut.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.StartsWith("pg2 streams from pg3 (tag replicatefrom), not from the leader", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeAsync_NotStreaming_CardWithTheBytesTheCommandAndTheRiskyTier()
    {
        // arrange
        var (sut, patroni, leader) = CreateSut();

        // act: no member named; pg2 is the one replica that needs it
        var proposal = await sut.ProposeAsync(Request(member: null), CancellationToken.None);

        // assert
        var card = Assert.IsType<ActionRecord>(proposal.Action);
        Assert.Equal("pg2", card.Target);
        Assert.Equal("pg1", leader.ReadOn);
        Assert.StartsWith("Will run: `POST http://10.0.0.2:8008/reinitialize {\"force\": false}` on pg2.", card.Description, StringComparison.Ordinal);
        Assert.Contains("DELETES its data directory, copies it again from pg1 with pg_basebackup", card.Description, StringComparison.Ordinal);
        Assert.Contains("Bytes to copy: ≈ 30 MiB (the sum of pg_database_size on pg1", card.Description, StringComparison.Ordinal);
        Assert.Contains("Time: unknown", card.Description, StringComparison.Ordinal);
        Assert.Contains("replay lag under 64 MiB (Cerberus:Postgres:ReplicaLagWarnBytes)", card.Description, StringComparison.Ordinal);
        Assert.Contains("not streaming: pg_stat_replication on pg1 has no connection with application_name pg2", card.BasedOn, StringComparison.Ordinal);
        Assert.Contains("No other replica: the cluster has no working standby now", card.BasedOn, StringComparison.Ordinal);
        Assert.Equal("leader=pg1;leader_healthy=True;timeline=4;member=pg2;role=replica;needs=rebuild", card.ObservedFingerprint);
        Assert.Equal((30L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), card.Figures[ActionFigureKeys.BytesToCopy]);
        Assert.Null(card.RiskWarning);
        Assert.True(ActionRisk.Assess(card).IsRisky);
        Assert.Empty(patroni.Sent);
    }

    [Fact]
    public async Task ProposeAsync_SizeUnreadableAndOtherTimeline_UnknownBytesAndARiskNamingBothTimelines()
    {
        // arrange
        var (sut, _, leader) = CreateSut(Cluster(pg2Timeline: 5));
        leader.Replication = FakeLeaderReplicationAccess.NotStreaming("pg2", databaseBytes: null);

        // act
        var proposal = await sut.ProposeAsync(Request(), CancellationToken.None);

        // assert
        var card = Assert.IsType<ActionRecord>(proposal.Action);
        Assert.Contains("Bytes to copy: unknown (pg_database_size could not be read on pg1: permission denied for database secret)", card.Description, StringComparison.Ordinal);
        Assert.Equal("unknown", card.Figures[ActionFigureKeys.BytesToCopy]);
        Assert.Equal("pg2 is on timeline 5, the leader's is 4: whatever pg2 wrote on its own timeline never reached pg1 and is deleted for good with its data directory.", card.RiskWarning);
        Assert.Equal("other_timeline,not_streaming", card.Parameters["reasons"]);
    }

    [Fact]
    public async Task ExecuteAsync_503AlreadyInProgress_OnePostNothingStarted()
    {
        // arrange
        var (sut, patroni, _) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        patroni.Answer(503, "reinitialize already in progress");

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal(["reinitialize 10.0.0.2 force=false"], patroni.Sent);
        Assert.Equal("Patroni on pg2 refused: 503 \"reinitialize already in progress\". Patroni is already running that on pg2; the bot does not cancel it (force=false). Nothing new was started: watch `patronictl list` and propose again if it does not recover.", outcome.Summary);
        Assert.Null(outcome.StateChange);
    }

    [Fact]
    public async Task ExecuteAsync_503IAmTheLeader_FailureSaysTheRolesChanged()
    {
        // arrange
        var (sut, patroni, _) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        patroni.Answer(503, "I am the leader, can not reinitialize");

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("pg2 holds the leader lock now: the roles changed after the re-check. Nothing was started.", outcome.Summary, StringComparison.Ordinal);
        Assert.Single(patroni.Sent);
    }

    [Fact]
    public async Task ExecuteAsync_ReplicaStreamsAgainAfterTheApproval_StateChangedNoPost()
    {
        // arrange
        var (sut, patroni, leader) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        leader.Replication = FakeLeaderReplicationAccess.Streaming("pg2", 1024);

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal("leader=pg1;leader_healthy=True;timeline=4;member=pg2;role=replica;needs=rebuild → leader=pg1;leader_healthy=True;timeline=4;member=pg2;role=replica;needs=healthy", outcome.StateChange);
        Assert.Equal("0", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Empty(patroni.Sent);
    }

    [Fact]
    public async Task ExecuteAsync_200_WatchesTheStatesUntilItRunsAsAReplica()
    {
        // arrange: /patroni of pg2 as the lab showed it: running → stopping → creating replica (uninitialized) → running
        var (sut, patroni, _) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        patroni.StatusJson = (name, read) => name == "pg1" ? LeaderStatus : read switch
        {
            1 => ReplicaStatus("running"),
            2 => ReplicaStatus("stopping"),
            3 or 4 => ReplicaStatus("creating replica", "uninitialized"),
            _ => ReplicaStatus("running", started: "2026-12-04 18:56:43.100000+00:00"),
        };
        patroni.Answer(200, "reinitialize started");
        var progress = new ListProgress();

        // act
        var outcome = await sut.ExecuteAsync(card, progress, CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.StartsWith("Patroni answered 200 \"reinitialize started\"; pg2 was rebuilt from pg1 in ", outcome.Summary, StringComparison.Ordinal);
        Assert.Matches("^stopping → creating replica at [^→]+ → running at .+$", outcome.Figures[ActionFigureKeys.MemberStates]);
        Assert.Equal("1", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Equal("POST http://10.0.0.2:8008/reinitialize {\"force\": false} for pg2…", progress.Lines[0]);
        Assert.Equal("pg2: stopping", progress.Lines[1]);
        Assert.StartsWith("pg2: stopping → creating replica at ", progress.Lines[2], StringComparison.Ordinal);
        Assert.Single(patroni.Sent);
    }

    [Fact]
    public async Task ExecuteAsync_AnswerLostAndNoMovement_FailureNotResent()
    {
        // arrange
        var (sut, patroni, _) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        patroni.AnswerTransportError(notSent: false);

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("pg2 showed no sign of a rebuild within 0 s (running): it most likely did not start. Not re-sent", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal("1", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Single(patroni.Sent);
    }

    [Fact]
    public async Task ExecuteAsync_NeverConnected_NothingSent()
    {
        // arrange
        var (sut, patroni, _) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        patroni.AnswerTransportError(notSent: true);

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("Nothing was sent", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal("0", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
    }

    [Theory]
    [InlineData(1024, null)]
    [InlineData(65L << 20, "its replay lag is 65 MiB, not under 64 MiB")]
    public async Task VerifyAsync_StreamingOnTheLeadersTimeline_LagAgainstTheThreshold(long lag, string? problem)
    {
        // arrange
        var (sut, _, leader) = CreateSut();
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        leader.Replication = FakeLeaderReplicationAccess.Streaming("pg2", lag);

        // act
        var outcome = await sut.VerifyAsync(card, CancellationToken.None);

        // assert
        Assert.Equal(problem is null, outcome.Succeeded);
        if (problem is null)
        {
            Assert.Equal("pg2 runs as a replica on timeline 4 (the leader's), streams in pg_stat_replication on pg1 (async), replay 1 KiB behind (under 64 MiB); its slot pg2 is active.", outcome.Summary);
        }
        else
        {
            Assert.Contains(problem, outcome.Summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_OnAnotherTimeline_Fails()
    {
        // arrange
        var (sut, _, leader) = CreateSut(Cluster(pg2Timeline: 3));
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        leader.Replication = FakeLeaderReplicationAccess.Streaming("pg2", 0);

        // act
        var outcome = await sut.VerifyAsync(card, CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("expected pg2 running on the leader's timeline 4; /cluster shows it running on timeline 3", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_SlotMissingOnTheLeader_CreatedBeforeThePost()
    {
        // arrange: pg2's slot dropped behind Patroni's back (3.0.2 does not re-create it by itself)
        var (sut, patroni, leader) = CreateSut();
        leader.Replication = FakeLeaderReplicationAccess.NotStreaming("pg2") with { Slots = [] };
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        patroni.Answer(503, "reinitialize already in progress");

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.StartsWith("Will run: first, on pg1, `SELECT pg_create_physical_replication_slot('pg2', true)` while it is still missing", card.Description, StringComparison.Ordinal);
        Assert.Contains("then `POST http://10.0.0.2:8008/reinitialize {\"force\": false}` on pg2.", card.Description, StringComparison.Ordinal);
        Assert.Equal(["pg2"], leader.CreatedSlots);
        Assert.Equal(["reinitialize 10.0.0.2 force=false"], patroni.Sent);
        Assert.Equal("2", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Equal("true", outcome.Figures["slot_created"]);
    }

    [Fact]
    public async Task ExecuteAsync_SlotCannotBeCreated_NothingSentToPatroni()
    {
        // arrange
        var (sut, patroni, leader) = CreateSut();
        leader.Replication = FakeLeaderReplicationAccess.NotStreaming("pg2") with { Slots = [] };
        var card = (await sut.ProposeAsync(Request(), CancellationToken.None)).Action!;
        leader.CreateError = "could not create slot pg2 on pg1 (10.0.0.1:5432): 53400: all replication slots are in use";

        // act
        var outcome = await sut.ExecuteAsync(card, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Equal("Nothing was sent to Patroni: could not create slot pg2 on pg1 (10.0.0.1:5432): 53400: all replication slots are in use.", outcome.Summary);
        Assert.Equal("0", outcome.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Empty(patroni.Sent);
    }
}
