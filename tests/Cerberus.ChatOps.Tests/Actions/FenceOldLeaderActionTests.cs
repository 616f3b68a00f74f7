using System.Text.Json.Nodes;
using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PatroniFake = Cerberus.ChatOps.Tests.Diagnostics.FakePatroniClient;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>The fence against a fake Kubernetes API server (real HTTP) and canned Patroni 3.0.2 answers.</summary>
public sealed class FenceOldLeaderActionTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private FakeKubernetesApiServer _server = null!;

    private PatroniFake _patroni = null!;

    private k8s.Models.V1Pod _stalePod = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubernetesApiServer.StartAsync();
        _server.PodTerminationDelay = TimeSpan.FromMilliseconds(50);
        _server.PodRecreateDelay = TimeSpan.FromMilliseconds(50);
        _stalePod = KubeObjects.PatroniPod("pg1", "master", "127.0.0.1");
        _server.AddPod(_stalePod);
        _server.AddPod(KubeObjects.PatroniPod("pg2", "master", "127.0.0.2"));

        // pg2 holds the key on timeline 4; pg1, the former leader, still answers role master on timeline 3.
        _patroni = new PatroniFake(PatroniFake.Url(1), PatroniFake.Url(2));
        StalePrimary();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void StalePrimary()
    {
        var cluster = PatroniFake.Cluster("pg2", ("pg1", "running", 0, 3));
        _patroni.WithCluster(PatroniFake.Url(1), cluster).WithCluster(PatroniFake.Url(2), cluster)
            .WithStatus(PatroniFake.Url(1), PatroniFake.Status("master").Replace("\"timeline\":4", "\"timeline\":3", StringComparison.Ordinal))
            .WithStatus(PatroniFake.Url(2), PatroniFake.Status("master"));
        _patroni.History.Clear();
        _patroni.History.AddRange([new(2, 0x3000000, "no recovery target specified", "2026-12-03T09:00:00+00:00", "pg1"), new(3, 0x4000000, "no recovery target specified", "2026-12-03T10:00:00+00:00", "pg2")]);
    }

    private void Rejoined()
    {
        var cluster = PatroniFake.Cluster("pg2", ("pg1", "running", 0, 4));
        _patroni.WithCluster(PatroniFake.Url(1), cluster).WithCluster(PatroniFake.Url(2), cluster)
            .WithStatus(PatroniFake.Url(1), PatroniFake.Status("replica"));
    }

    private FenceOldLeaderAction CreateSut(KubernetesAccess? kubernetes = null, bool fencePods = true, TimeSpan? verifyDeadline = null)
    {
        var actions = new ActionsOptions { VerifyDeadline = verifyDeadline ?? TimeSpan.FromSeconds(5), PollInterval = TimeSpan.FromMilliseconds(20) };
        return new FenceOldLeaderAction(_patroni, new PostgresConnector(Options.Create(actions)),
            kubernetes ?? FakeCluster.Access(_server, o => o.FencePods = fencePods), Options.Create(actions), TimeProvider.System, NullLogger<FenceOldLeaderAction>.Instance);
    }

    private static ProposalRequest Request(string? member = null) =>
        new("INC-2026-0001", "A-fence", Some.Starter, Some.T0, TimeSpan.FromMinutes(15), false,
            member is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [FenceOldLeaderAction.MemberArgument] = member });

    private IReadOnlyList<RecordedRequest> Deletes => _server.Requests.Where(r => r.Method == "DELETE").ToList();

    [Fact]
    public async Task ProposeExecuteVerify_StalePrimaryWithoutName_DeletesItsPodWithGraceAndUidThenSeesItRejoin()
    {
        // arrange
        var sut = CreateSut();

        // act
        var proposal = await sut.ProposeAsync(Request(), None);
        var record = proposal.Action!;
        var observed = await sut.ObserveAsync(record, None);
        var executed = await sut.ExecuteAsync(record, new ListProgress(), None);
        Rejoined();
        var verified = await sut.VerifyAsync(record, None);

        // assert
        Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
        Assert.Equal("pg1", record.Target);
        Assert.Contains($"`DELETE /api/v1/namespaces/cerberus/pods/pg1 {{\"gracePeriodSeconds\":5,\"preconditions\":{{\"uid\":\"{_stalePod.Metadata.Uid}\"}}}}`", record.Description, StringComparison.Ordinal);
        Assert.Contains("StatefulSet/postgres creates the pod again", record.Description, StringComparison.Ordinal);
        Assert.Contains("its /patroni answers role master (running, timeline 3) without the leader key", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("Patroni 3.0.2 has the stale-primary bug", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("fixed in Patroni 3.1.0 (PR #2787", record.BasedOn, StringComparison.Ordinal);
        Assert.Null(record.RiskWarning);
        Assert.True(ActionRisk.Assess(record).IsRisky);
        Assert.Equal(record.ObservedFingerprint, observed);
        Assert.True(executed.Succeeded, executed.Summary);
        var delete = Assert.Single(Deletes);
        Assert.Equal("/api/v1/namespaces/cerberus/pods/pg1", delete.Path);
        Assert.Equal("5", delete.QueryValue("gracePeriodSeconds"));
        Assert.Equal(_stalePod.Metadata.Uid, JsonNode.Parse(delete.Body)!["preconditions"]!["uid"]!.GetValue<string>());
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.StartsWith("pg1 is back as a running replica on timeline 4", verified.Summary, StringComparison.Ordinal);
        Assert.Contains("the only primary is pg2", verified.Summary, StringComparison.Ordinal);
        Assert.Equal("replica", verified.Figures[ActionFigureKeys.OldLeaderState]);
        Assert.Empty(_server.Errors);
    }

    [Fact]
    public async Task Propose_TheKeyHolder_Refused()
    {
        // arrange
        var sut = CreateSut();

        // act
        var proposal = await sut.ProposeAsync(Request("pg2"), None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("pg2 holds the leader key on timeline 4", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("never fenced", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_LeaderDoesNotAnswerAsPrimary_RefusedNeverTheOnlyPrimary()
    {
        // arrange
        _patroni.Hung(PatroniFake.Url(2));
        var sut = CreateSut();

        // act
        var proposal = await sut.ProposeAsync(Request("pg1"), None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("is not a healthy leader", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("could take away the only primary", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Empty(Deletes);
    }

    [Fact]
    public async Task Propose_HealthyReplica_NothingToFence()
    {
        // arrange
        Rejoined();
        var sut = CreateSut();

        // act
        var named = await sut.ProposeAsync(Request("pg1"), None);
        var picked = await sut.ProposeAsync(Request(), None);

        // assert
        Assert.Contains("pg1 is a running replica of pg2 on timeline 4", named.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("No member to fence", picked.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_PatroniSaysMasterWhileStopped_NotTakenForAPrimary()
    {
        // arrange: 3.0.2 answers Patroni's internal role when PostgreSQL is stopped (a leader shutting down for a switchover)
        _patroni.WithStatus(PatroniFake.Url(1), PatroniFake.Status("master", state: "stopped"));
        var sut = CreateSut();

        // act
        var record = (await sut.ProposeAsync(Request("pg1"), None)).Action!;

        // assert
        Assert.Contains("its /patroni answers state stopped (role master, Patroni's own, not PostgreSQL's)", record.BasedOn, StringComparison.Ordinal);
        Assert.DoesNotContain("without the leader key", record.BasedOn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pg1; rm -rf /")]
    [InlineData("-pg1")]
    public async Task Propose_BadMemberName_ClearAnswer(string member)
    {
        // arrange
        var sut = CreateSut();

        // act
        var proposal = await sut.ProposeAsync(Request(member), None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("is not a Patroni member name", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_OutsideKubernetes_SaysExactlyWhatToRunOnTheHost()
    {
        // arrange
        var sut = CreateSut(FakeCluster.Off());

        // act
        var proposal = await sut.ProposeAsync(Request(), None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("cannot fence outside Kubernetes", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("on the host of pg1 (127.0.0.1, PostgreSQL port 5433), as the postgres OS user, `pg_ctl stop -D <data_dir> -m fast`", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("`pg_ctl stop -D <data_dir> -m immediate`", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("Leave Patroni running: with pg2 holding the leader key", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("Patroni 3.0.2 has the stale-primary bug", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_PodFencingOff_NamesTheComponentAndTheKubectlCommand()
    {
        // arrange
        var sut = CreateSut(fencePods: false);

        // act
        var proposal = await sut.ProposeAsync(Request(), None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("Cerberus__Kubernetes__FencePods=false", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("manifests/components/fence-stale-primary", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Contains("`kubectl delete pod -n cerberus pg1 --grace-period=5`", proposal.NotApplicableReason, StringComparison.Ordinal);
        Assert.Empty(Deletes);
    }

    [Fact]
    public async Task Propose_BarePod_RiskSaysItDoesNotComeBack()
    {
        // arrange
        await _server.DisposeAsync();
        _server = await FakeKubernetesApiServer.StartAsync();
        _server.AddPod(KubeObjects.PatroniPod("pg1", "master", statefulSet: null));
        var sut = CreateSut();

        // act
        var record = (await sut.ProposeAsync(Request("pg1"), None)).Action!;

        // assert
        Assert.Contains("has no controller: deleting it removes pg1 for good", record.RiskWarning, StringComparison.Ordinal);
        Assert.Contains("the pod has NO controller", record.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_LeaderStoppedAnsweringAfterApproval_StateChangedNothingDeleted()
    {
        // arrange
        var sut = CreateSut();
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        _patroni.Hung(PatroniFake.Url(2));

        // act
        var executed = await sut.ExecuteAsync(record, new ListProgress(), None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.NotNull(executed.StateChange);
        Assert.Contains("could take away the only primary", executed.StateChange, StringComparison.Ordinal);
        Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Empty(Deletes);
    }

    [Fact]
    public async Task Execute_MemberRejoinedAfterApproval_StateChangedNothingDeleted()
    {
        // arrange
        var sut = CreateSut();
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        Rejoined();

        // act
        var executed = await sut.ExecuteAsync(record, new ListProgress(), None);

        // assert
        Assert.Contains("pg1 is back as a replica", executed.StateChange, StringComparison.Ordinal);
        Assert.Empty(Deletes);
    }

    [Fact]
    public async Task Execute_UidPreconditionFails_StateChangedNothingDeleted()
    {
        // arrange
        var sut = CreateSut();
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        _server.Map("DELETE", "/api/v1/namespaces/cerberus/pods/pg1", (_, _) =>
            FakeResponse.Failure(409, "Conflict", "Operation cannot be fulfilled on Pod \"pg1\": Precondition failed: UID in precondition: a, UID in object meta: b"));

        // act
        var executed = await sut.ExecuteAsync(record, new ListProgress(), None);

        // assert
        Assert.NotNull(executed.StateChange);
        Assert.Contains("nothing was deleted", executed.StateChange, StringComparison.Ordinal);
        Assert.Single(Deletes);
    }

    [Fact]
    public async Task Execute_Forbidden_FailureNamesTheGrantAndTheComponent()
    {
        // arrange
        var sut = CreateSut();
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        _server.Map("DELETE", "/api/v1/namespaces/cerberus/pods/pg1", (_, _) => FakeResponse.Failure(403, "Forbidden", "pods \"pg1\" is forbidden"));

        // act
        var executed = await sut.ExecuteAsync(record, new ListProgress(), None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Null(executed.StateChange);
        Assert.Contains("forbidden: the bot's Role needs pods delete (manifests/components/fence-stale-primary)", executed.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_StillPrimaryAtTheDeadline_Fails()
    {
        // arrange
        var sut = CreateSut(verifyDeadline: TimeSpan.FromMilliseconds(200));
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        await sut.ExecuteAsync(record, new ListProgress(), None);

        // act
        var verified = await sut.VerifyAsync(record, None);

        // assert
        Assert.False(verified.Succeeded);
        Assert.Contains("its /patroni answers role master", verified.Summary, StringComparison.Ordinal);
        Assert.Equal("primary", verified.Figures[ActionFigureKeys.OldLeaderState]);
        Assert.Equal("true", verified.Figures[ActionFigureKeys.FenceOldPrimary]);
    }

    [Fact]
    public async Task Verify_GoneAndNotBackAtTheDeadline_FencedNotYetRejoined()
    {
        // arrange
        var sut = CreateSut(verifyDeadline: TimeSpan.FromMilliseconds(200));
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        await sut.ExecuteAsync(record, new ListProgress(), None);
        var cluster = PatroniFake.Cluster("pg2");
        _patroni.WithCluster(PatroniFake.Url(1), cluster).WithCluster(PatroniFake.Url(2), cluster).Refusing(PatroniFake.Url(1));

        // act
        var verified = await sut.VerifyAsync(record, None);

        // assert
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.StartsWith($"pg1 is fenced: pod pg1 (uid {_stalePod.Metadata.Uid}) is ", verified.Summary, StringComparison.Ordinal);
        Assert.Contains("and pg1 no longer answers as a primary", verified.Summary, StringComparison.Ordinal);
        Assert.Equal("not back", verified.Figures[ActionFigureKeys.OldLeaderState]);
    }

    [Fact]
    public async Task Verify_MemberLeftClusterButPodNeverDeleted_NotCalledFenced()
    {
        // arrange: what the lab showed: the killed Patroni's member key expires after ttl while its PostgreSQL runs on
        var sut = CreateSut(verifyDeadline: TimeSpan.FromMilliseconds(200));
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        var cluster = PatroniFake.Cluster("pg2");
        _patroni.WithCluster(PatroniFake.Url(1), cluster).WithCluster(PatroniFake.Url(2), cluster).Refusing(PatroniFake.Url(1));

        // act
        var verified = await sut.VerifyAsync(record, None);

        // assert
        Assert.False(verified.Succeeded, verified.Summary);
        Assert.Contains($"pod pg1 still has uid {_stalePod.Metadata.Uid} (not deleted)", verified.Summary, StringComparison.Ordinal);
        Assert.Equal("true", verified.Figures[ActionFigureKeys.FenceOldPrimary]);
        Assert.Empty(Deletes);
    }

    [Fact]
    public async Task Reconcile_PodUntouched_NotAppliedAndNothingSent()
    {
        // arrange
        var sut = CreateSut();
        var record = (await sut.ProposeAsync(Request(), None)).Action!;

        // act
        var reconciled = await sut.ReconcileAsync(record, new ListProgress(), None);

        // assert
        Assert.False(reconciled.Succeeded);
        Assert.Contains("was not applied before the bot restarted", reconciled.Summary, StringComparison.Ordinal);
        Assert.Empty(Deletes);
    }

    [Fact]
    public async Task Reconcile_PodDeletedBeforeTheRestart_AppliedWithoutASecondDelete()
    {
        // arrange
        var sut = CreateSut();
        var record = (await sut.ProposeAsync(Request(), None)).Action!;
        await sut.ExecuteAsync(record, new ListProgress(), None);

        // act
        var reconciled = await sut.ReconcileAsync(record, new ListProgress(), None);

        // assert
        Assert.True(reconciled.Succeeded, reconciled.Summary);
        Assert.Single(Deletes);
    }
}
