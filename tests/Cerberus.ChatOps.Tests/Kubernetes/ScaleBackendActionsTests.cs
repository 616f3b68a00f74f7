using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Actions.Kubernetes;
using Cerberus.ChatOps.Diagnostics.Http;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Tests.Diagnostics.Http;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Kubernetes;

public sealed class ScaleBackendActionsTests
{
    private const string ScalePath = "/apis/apps/v1/namespaces/cerberus/deployments/cerberus-backend/scale";

    [Fact]
    public async Task ScaleDownThenUp_DeploymentHadFourReplicas_ExactPatchBodiesAndRememberedCountRestored()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);

        // Real time: each phase lasts many 30 ms polls, so a poll delayed by a busy machine still sees it.
        server.ReplicaStep = TimeSpan.FromMilliseconds(500);
        server.PodTerminationDelay = TimeSpan.FromSeconds(1);
        await using var health = await LocalHttpServer.StartAsync(200);
        var (down, up) = Actions(server, health.Uri);
        var downProgress = new ListProgress();
        var upProgress = new ListProgress();

        // act
        var downProposal = await down.ProposeAsync(Request("a-1"), CancellationToken.None);
        var downAction = downProposal.Action!;
        var observed = await down.ObserveAsync(downAction, CancellationToken.None);
        var downDone = await down.ExecuteAsync(downAction, downProgress, CancellationToken.None);
        var downVerified = await down.VerifyAsync(downAction, CancellationToken.None);
        var upProposal = await up.ProposeAsync(Request("a-2", replicas: downAction.Parameters[ScaleParameters.ReplicasBefore]), CancellationToken.None);
        var upAction = upProposal.Action!;
        var upDone = await up.ExecuteAsync(upAction, upProgress, CancellationToken.None);
        var upVerified = await up.VerifyAsync(upAction, CancellationToken.None);

        // assert
        Assert.Equal("""PATCH apps/v1 namespaces/cerberus/deployments/cerberus-backend/scale {"spec":{"replicas":0}}""", downAction.Description);
        Assert.Equal(RemediationKind.ScaleBackendUp, downAction.UndoKind);
        Assert.Equal("4", downAction.Parameters[ScaleParameters.ReplicasBefore]);
        Assert.Equal("4", downAction.Figures[ActionFigureKeys.ReplicasBefore]);
        Assert.Equal("0", downAction.Figures[ActionFigureKeys.ReplicasAfter]);
        Assert.Equal("replicas=4;generation=1", downAction.ObservedFingerprint);
        Assert.Equal(downAction.ObservedFingerprint, observed);
        Assert.True(downDone.Succeeded, downDone.Summary);
        Assert.True(downVerified.Succeeded, downVerified.Summary);
        Assert.Contains(downProgress.Lines, l => l.Contains("terminating", StringComparison.Ordinal));
        Assert.Contains("cerberus-backend: no pods left", downProgress.Lines);

        Assert.Equal("""PATCH apps/v1 namespaces/cerberus/deployments/cerberus-backend/scale {"spec":{"replicas":4}}""", upAction.Description);
        Assert.Equal("remembered", upAction.Parameters[ScaleParameters.TargetSource]);
        Assert.True(upDone.Succeeded, upDone.Summary);
        Assert.Equal("4", upDone.Figures[ActionFigureKeys.ReplicasAfter]);
        Assert.Contains("cerberus-backend: 4/4 available", upProgress.Lines);
        Assert.Contains(upProgress.Lines, l => l is "cerberus-backend: 1/4 available" or "cerberus-backend: 2/4 available" or "cerberus-backend: 3/4 available");
        Assert.True(upVerified.Succeeded, upVerified.Summary);
        Assert.Contains("answered 200", upVerified.Summary, StringComparison.Ordinal);

        var patches = server.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(["""{"spec":{"replicas":0}}""", """{"spec":{"replicas":4}}"""], patches.Select(p => p.Body));
        Assert.All(patches, p => Assert.Equal(ScalePath, p.Path));
        Assert.Equal(4, server.Deployment("cerberus-backend").Spec.Replicas);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task UndoLedger_ScaleDownThenUpThroughTheIncident_RemembersFourAndClosesTheUndo()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);
        var (down, up) = Actions(server, null);
        var now = DateTimeOffset.UtcNow;
        var incident = Incident.Declare("inc-1", "C1", "primary hangs", "U1", now);
        Assert.True(incident.BeginDiagnosis("U1", now).Succeeded);
        Assert.True(incident.CompleteDiagnosis(
            new DiagnosisReport(now, now, [], Classification.PrimaryUnresponsive, "The primary is unresponsive.", [RemediationKind.ScaleBackendDown]), now).Succeeded);

        // act
        var downAction = (await down.ProposeAsync(Request("a-1"), CancellationToken.None)).Action!;
        await RunThroughTheIncident(incident, down, downAction, now);
        var outstanding = incident.OutstandingUndo.ToList();

        // the engine's contract: Arguments["replicas"] = replicas_before of the latest successful scale-down not undone
        var remembered = incident.OutstandingUndo.Last(a => a.Kind == RemediationKind.ScaleBackendDown).Parameters[ScaleParameters.ReplicasBefore];
        var upAction = (await up.ProposeAsync(Request("a-2", replicas: remembered), CancellationToken.None)).Action!;
        await RunThroughTheIncident(incident, up, upAction, now);

        // assert
        Assert.Equal(["a-1"], outstanding.Select(a => a.Id));
        Assert.Equal("4", remembered);
        Assert.Empty(incident.OutstandingUndo);
        Assert.Equal("a-2", incident.FindAction("a-1")!.UndoneBy);
        Assert.Equal(IncidentState.Mitigated, incident.State);
        Assert.Equal(["""{"spec":{"replicas":0}}""", """{"spec":{"replicas":4}}"""], server.Requests.Where(r => r.Method == "PATCH").Select(r => r.Body));
    }

    [Fact]
    public async Task Propose_HpaTargetsTheDeployment_WarnsAndRestoresAtLeastItsMinReplicas()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);
        server.AddHpa(KubeObjects.Hpa("cerberus-backend-hpa", "cerberus-backend", min: 5, max: 10));
        server.AddHpa(KubeObjects.Hpa("other-hpa", "other-deployment", min: 1, max: 2));
        var (down, up) = Actions(server, null);

        // act
        var downProposal = await down.ProposeAsync(Request("a-1"), CancellationToken.None);
        var upProposal = await up.ProposeAsync(Request("a-2", replicas: "4"), CancellationToken.None);

        // assert
        var downAction = downProposal.Action!;
        Assert.Contains("HPA cerberus-backend-hpa (min 5, max 10)", downAction.RiskWarning, StringComparison.Ordinal);
        Assert.Contains("does not scale a deployment that is at 0 replicas", downAction.RiskWarning, StringComparison.Ordinal);
        Assert.Contains("may fight a manual count", downAction.RiskWarning, StringComparison.Ordinal);
        Assert.Equal("cerberus-backend-hpa", downAction.Parameters[ScaleParameters.Hpa]);
        var upAction = upProposal.Action!;
        Assert.Equal("""PATCH apps/v1 namespaces/cerberus/deployments/cerberus-backend/scale {"spec":{"replicas":5}}""", upAction.Description);
        Assert.Equal("remembered_raised_to_hpa_min", upAction.Parameters[ScaleParameters.TargetSource]);
        Assert.Contains("below the HPA's minReplicas 5", upAction.BasedOn, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task ProposeScaleUp_NoRememberedCountAndNoHpa_NotApplicableWithoutGuessingThree()
    {
        // arrange
        await using var server = await BackendWith(replicas: 0);
        var (_, up) = Actions(server, null);

        // act
        var proposal = await up.ProposeAsync(Request("a-1"), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Contains("No replica count to restore", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeScaleUp_NoRememberedCountButHpa_UsesHpaMinReplicas()
    {
        // arrange
        await using var server = await BackendWith(replicas: 0);
        server.AddHpa(KubeObjects.Hpa("cerberus-backend-hpa", "cerberus-backend", min: 2, max: 6));
        var (_, up) = Actions(server, null);

        // act
        var proposal = await up.ProposeAsync(Request("a-1"), CancellationToken.None);

        // assert
        Assert.Equal("2", proposal.Action!.Parameters[ScaleParameters.ReplicasTarget]);
        Assert.Equal("hpa_min", proposal.Action.Parameters[ScaleParameters.TargetSource]);
    }

    [Fact]
    public async Task ExecuteScaleUp_ProgressDeadlineExceeded_FailsAndSaysWhy()
    {
        // arrange
        await using var server = await BackendWith(replicas: 0);
        server.FailRollouts = true;
        var (_, up) = Actions(server, null);
        var action = (await up.ProposeAsync(Request("a-1", replicas: "3"), CancellationToken.None)).Action!;
        var progress = new ListProgress();

        // act
        var outcome = await up.ExecuteAsync(action, progress, CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("ProgressDeadlineExceeded", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains("cerberus-backend: 0/3 available", progress.Lines);
    }

    [Fact]
    public async Task ExecuteScaleUp_RolloutSlowerThanRolloutTimeout_FailsAtTheDeadline()
    {
        // arrange
        await using var server = await BackendWith(replicas: 0);
        server.ReplicaStep = TimeSpan.FromSeconds(30);
        var (_, up) = Actions(server, null, o => o.RolloutTimeout = TimeSpan.FromMilliseconds(400));
        var action = (await up.ProposeAsync(Request("a-1", replicas: "2"), CancellationToken.None)).Action!;
        var started = DateTimeOffset.UtcNow;

        // act
        var outcome = await up.ExecuteAsync(action, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("rollout not complete", outcome.Summary, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Execute_DryRun_ShowsThePatchAndSendsNothing()
    {
        // arrange
        await using var server = await BackendWith(replicas: 3);
        var (down, _) = Actions(server, null);
        var action = (await down.ProposeAsync(Request("a-1") with { DryRun = true }, CancellationToken.None)).Action!;

        // act
        var outcome = await down.ExecuteAsync(action, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(action.DryRun);
        Assert.True(outcome.Succeeded);
        Assert.Contains("""{"spec":{"replicas":0}}""", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", outcome.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
        Assert.Equal(3, server.Deployment("cerberus-backend").Spec.Replicas);
    }

    [Fact]
    public async Task Reconcile_PatchAppliedBeforeTheCrash_WaitsWithoutPatchingTwice()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);
        var (down, _) = Actions(server, null);
        var action = (await down.ProposeAsync(Request("a-1"), CancellationToken.None)).Action!;
        using (var client = server.CreateClient())
        {
            // the bot sent the PATCH, then crashed before recording the outcome
            await k8s.AppsV1OperationsExtensions.PatchNamespacedDeploymentScaleAsync(
                client.AppsV1, new k8s.Models.V1Patch("""{"spec":{"replicas":0}}""", k8s.Models.V1Patch.PatchType.MergePatch), "cerberus-backend", "cerberus");
        }

        // act
        var outcome = await down.ReconcileAsync(action, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal("0", outcome.Figures[ActionFigureKeys.ReplicasAfter]);
    }

    [Fact]
    public async Task Reconcile_PatchNeverSent_FailsSayingNothingChangedAndSendsNoPatch()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);
        var (down, _) = Actions(server, null);
        var action = (await down.ProposeAsync(Request("a-1"), CancellationToken.None)).Action!;

        // act
        var outcome = await down.ReconcileAsync(action, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(outcome.Succeeded);
        Assert.Contains("was not applied", outcome.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Observe_SomeoneScaledAfterTheProposal_FingerprintDiffers()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);
        var (down, _) = Actions(server, null);
        var action = (await down.ProposeAsync(Request("a-1"), CancellationToken.None)).Action!;
        using (var client = server.CreateClient())
        {
            await k8s.AppsV1OperationsExtensions.PatchNamespacedDeploymentScaleAsync(
                client.AppsV1, new k8s.Models.V1Patch("""{"spec":{"replicas":6}}""", k8s.Models.V1Patch.PatchType.MergePatch), "cerberus-backend", "cerberus");
        }

        // act
        var observed = await down.ObserveAsync(action, CancellationToken.None);

        // assert
        Assert.Equal("replicas=6;generation=2", observed);
        Assert.NotEqual(action.ObservedFingerprint, observed);
    }

    [Fact]
    public async Task Propose_KubernetesOff_NotApplicableWithTheReason()
    {
        // arrange
        var scaler = new BackendScaler(FakeCluster.Off(), TimeProvider.System, NullLogger<BackendScaler>.Instance);
        var down = new ScaleBackendDownAction(scaler, NullLogger<ScaleBackendDownAction>.Instance);

        // act
        var proposal = await down.ProposeAsync(Request("a-1"), CancellationToken.None);

        // assert
        Assert.Equal("Kubernetes is off (Cerberus__Kubernetes__Enabled=false)", proposal.NotApplicableReason);
    }

    /// <summary>What the incident engine does with an approved action: observe, start, execute, verify, record.</summary>
    private static async Task RunThroughTheIncident(Incident incident, Cerberus.ChatOps.Domain.Ports.IRemediationAction action, ActionRecord record, DateTimeOffset at)
    {
        var policy = new ApprovalPolicy(new HashSet<string>(StringComparer.Ordinal) { "U1", "U123" }, SecondPersonRule.None, TimeSpan.FromMinutes(15));
        Assert.True(incident.ProposeAction(record, policy, at).Succeeded);
        Assert.True(incident.Approve(record.Id, "U1", riskAccepted: true, policy, at).Succeeded);
        Assert.Equal(record.ObservedFingerprint, await action.ObserveAsync(record, CancellationToken.None));
        Assert.True(incident.MarkStarted(record.Id, at).Succeeded);
        var outcome = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        Assert.True(incident.RecordExecution(record.Id, outcome.Succeeded, outcome.Summary, outcome.Figures, at).Succeeded);
        var verified = await action.VerifyAsync(record, CancellationToken.None);
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.True(incident.RecordVerification(record.Id, verified.Succeeded, verified.Summary, at).Succeeded);
    }

    private static async Task<FakeKubernetesApiServer> BackendWith(int replicas)
    {
        var server = await FakeKubernetesApiServer.StartAsync();
        server.AddDeployment(KubeObjects.Deployment("cerberus-backend", replicas, KubeObjects.BackendLabels()));
        for (var i = 0; i < replicas; i++)
        {
            server.AddPod(KubeObjects.Pod($"cerberus-backend-{i}", KubeObjects.BackendLabels(), container: "app"));
        }

        return server;
    }

    private static (ScaleBackendDownAction Down, ScaleBackendUpAction Up) Actions(FakeKubernetesApiServer server, Uri? healthUrl, Action<KubernetesOptions>? configure = null)
    {
        var scaler = new BackendScaler(FakeCluster.Access(server, configure), TimeProvider.System, NullLogger<BackendScaler>.Instance);
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        var app = new AppHealthProbe(http, Options.Create(new AppOptions { HealthUrl = healthUrl?.ToString() }), TimeProvider.System, NullLogger<AppHealthProbe>.Instance);
        return (new ScaleBackendDownAction(scaler, NullLogger<ScaleBackendDownAction>.Instance),
            new ScaleBackendUpAction(scaler, app, NullLogger<ScaleBackendUpAction>.Instance));
    }

    private static ProposalRequest Request(string id, string? replicas = null) => new(
        "inc-1",
        id,
        "U123",
        DateTimeOffset.UtcNow,
        TimeSpan.FromMinutes(15),
        DryRun: false,
        replicas is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ScaleParameters.ReplicasArgument] = replicas });
}
