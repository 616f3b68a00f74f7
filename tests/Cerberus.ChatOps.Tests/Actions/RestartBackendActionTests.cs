using Cerberus.ChatOps.Actions.Kubernetes;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>
/// The rolling restart against the fake API server: the one PATCH kubectl rollout restart sends, re-read of the
/// deployment just before it, and the wait until the controller reports the rollout done.
/// </summary>
public sealed class RestartBackendActionTests
{
    [Fact]
    public async Task Execute_DeploymentUnchanged_OneAnnotationPatchThenRolloutDoneAndVerified()
    {
        // arrange
        await using var server = await BackendWith(replicas: 3);
        server.ReplicaStep = TimeSpan.FromMilliseconds(40);
        var action = Action(server);
        var proposal = await action.ProposeAsync(Request("r-1"), CancellationToken.None);
        var record = proposal.Action!;
        var progress = new ListProgress();

        // act
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
        foreach (var (key, value) in executed.Figures)
        {
            record.Figures[key] = value;
        }

        var verified = await action.VerifyAsync(record, CancellationToken.None);

        // assert
        Assert.Contains("PATCH apps/v1 namespaces/cerberus/deployments/cerberus-backend (strategic merge patch, as `kubectl rollout restart`)", record.Description, StringComparison.Ordinal);
        Assert.Contains("surge pods open their connection pools before the old pods close theirs", record.BasedOn, StringComparison.Ordinal);
        Assert.Null(record.RiskWarning);
        Assert.Equal("replicas=3;generation=1", record.ObservedFingerprint);
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Equal("rolling restart: cerberus-backend: 3/3 available", executed.Summary);
        var patch = Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal("/apis/apps/v1/namespaces/cerberus/deployments/cerberus-backend", patch.Path);
        Assert.Equal("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"" + executed.Figures[RestartBackendAction.RestartedAtFigure] + "\"}}}}}", patch.Body);
        var deployment = server.Deployment("cerberus-backend");
        Assert.Equal(2, deployment.Metadata.Generation);
        Assert.Equal(2, deployment.Status.ObservedGeneration);
        Assert.Equal(3, deployment.Status.UpdatedReplicas);
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.StartsWith("cerberus-backend: every pod replaced since restartedAt ", verified.Summary, StringComparison.Ordinal);
        Assert.Contains("3/3 updated, 3/3 available, 3 pods, observedGeneration 2 (generation 2)", verified.Summary, StringComparison.Ordinal);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Execute_ScaledByOthersAfterTheApproval_StateChangedAndNoPatch()
    {
        // arrange
        await using var server = await BackendWith(replicas: 3);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request("r-2"), CancellationToken.None)).Action!;
        using (var client = server.CreateClient())
        {
            await k8s.AppsV1OperationsExtensions.PatchNamespacedDeploymentScaleAsync(
                client.AppsV1, new V1Patch("{\"spec\":{\"replicas\":5}}", V1Patch.PatchType.MergePatch), "cerberus-backend", "cerberus");
        }

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Equal("cerberus/cerberus-backend replicas=3;generation=1 → cerberus/cerberus-backend replicas=5;generation=2", executed.StateChange);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/deployments/cerberus-backend", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_RolloutStalls_FailsWithProgressDeadlineExceeded()
    {
        // arrange
        await using var server = await BackendWith(replicas: 2);
        server.ReplicaStep = TimeSpan.FromMilliseconds(30);
        server.FailRollouts = true;
        var action = Action(server);
        var record = (await action.ProposeAsync(Request("r-3"), CancellationToken.None)).Action!;

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Contains("rollout failed (ProgressDeadlineExceeded", executed.Summary, StringComparison.Ordinal);
        Assert.True(executed.Figures.ContainsKey(RestartBackendAction.RestartedAtFigure));
    }

    [Fact]
    public async Task Propose_RecreateStrategyOrZeroReplicas_RiskToAcceptOrNotApplicable()
    {
        // arrange
        await using var recreate = await BackendWith(replicas: 2, strategy: "Recreate");
        await using var empty = await BackendWith(replicas: 0);

        // act
        var risky = (await Action(recreate).ProposeAsync(Request("r-4"), CancellationToken.None)).Action!;
        var none = await Action(empty).ProposeAsync(Request("r-5"), CancellationToken.None);

        // assert
        Assert.Equal("cerberus-backend uses strategy Recreate: every pod stops before the new ones start, so this restart is a full outage of the application while they start.", risky.RiskWarning);
        Assert.Equal("deployment cerberus/cerberus-backend is at 0 replicas: there is nothing to restart (Scale up brings it back).", none.NotApplicableReason);
    }

    [Fact]
    public async Task Reconcile_PatchAppliedBeforeTheBotRestarted_WaitsForTheRolloutWithoutPatchingAgain()
    {
        // arrange
        await using var server = await BackendWith(replicas: 2);
        server.ReplicaStep = TimeSpan.FromMilliseconds(30);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request("r-6"), CancellationToken.None)).Action!;
        record.StartedAt = DateTimeOffset.UtcNow;
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);
        var patches = server.Requests.Count(r => r.Method == "PATCH");

        // act
        var reconciled = await action.ReconcileAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(reconciled.Succeeded, reconciled.Summary);
        Assert.Equal(1, patches);
        Assert.Equal(patches, server.Requests.Count(r => r.Method == "PATCH"));
        Assert.Equal(executed.Figures[RestartBackendAction.RestartedAtFigure], reconciled.Figures[RestartBackendAction.RestartedAtFigure]);
    }

    [Fact]
    public async Task Reconcile_PatchNeverSent_NothingChangedProposeAgain()
    {
        // arrange
        await using var server = await BackendWith(replicas: 2);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request("r-7"), CancellationToken.None)).Action!;
        record.StartedAt = DateTimeOffset.UtcNow;

        // act
        var reconciled = await action.ReconcileAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(reconciled.Succeeded);
        Assert.Equal("The restart PATCH was not applied before the restart of the bot (restartedAt is absent). Nothing was changed; propose the restart again.", reconciled.Summary);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    private static RestartBackendAction Action(FakeKubernetesApiServer server) =>
        new(new BackendScaler(FakeCluster.Access(server), TimeProvider.System, NullLogger<BackendScaler>.Instance), TimeProvider.System, NullLogger<RestartBackendAction>.Instance);

    private static async Task<FakeKubernetesApiServer> BackendWith(int replicas, string? strategy = null)
    {
        var server = await FakeKubernetesApiServer.StartAsync();
        var deployment = KubeObjects.Deployment("cerberus-backend", replicas, KubeObjects.BackendLabels());
        if (strategy is not null)
        {
            deployment.Spec.Strategy = new V1DeploymentStrategy { Type = strategy };
        }

        server.AddDeployment(deployment);
        return server;
    }

    private static ProposalRequest Request(string id) =>
        new("inc-1", id, "U123", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), DryRun: false, new Dictionary<string, string>());
}
