using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Actions.Kubernetes;
using Cerberus.ChatOps.Diagnostics.Http;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>
/// The scaling actions re-read the deployment just before their one PATCH (against the fake API server): a count
/// or generation changed since the approval stops them with the state change, and no PATCH is sent.
/// </summary>
public sealed class ScaleRecheckTests
{
    [Fact]
    public async Task ExecuteScaleDown_SomeoneScaledAfterTheApproval_StateChangedAndNoPatch()
    {
        // arrange
        await using var server = await BackendWith(replicas: 4);
        var down = new ScaleBackendDownAction(Scaler(server), NullLogger<ScaleBackendDownAction>.Instance);
        var record = (await down.ProposeAsync(Request("a-1"), CancellationToken.None)).Action!;
        await Patch(server, 6);
        var progress = new ListProgress();

        // act
        var executed = await down.ExecuteAsync(record, progress, CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Equal("cerberus/cerberus-backend replicas=4;generation=1 → cerberus/cerberus-backend replicas=6;generation=2", executed.StateChange);
        Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.Equal("4", executed.Figures[ActionFigureKeys.ReplicasAfter]);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal(6, server.Deployment("cerberus-backend").Spec.Replicas);
        Assert.Contains(progress.Lines, l => l.StartsWith("PATCH not sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteScaleUp_DeploymentUnchanged_PatchesOnce()
    {
        // arrange
        await using var server = await BackendWith(replicas: 0);
        server.ReplicaStep = TimeSpan.FromMilliseconds(20);
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        var app = new AppHealthProbe(http, Options.Create(new AppOptions()), TimeProvider.System, NullLogger<AppHealthProbe>.Instance);
        var up = new ScaleBackendUpAction(Scaler(server), app, NullLogger<ScaleBackendUpAction>.Instance);
        var record = (await up.ProposeAsync(Request("a-2", replicas: "2"), CancellationToken.None)).Action!;

        // act
        var executed = await up.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Null(executed.StateChange);
        Assert.Equal(["""{"spec":{"replicas":2}}"""], server.Requests.Where(r => r.Method == "PATCH").Select(r => r.Body));
    }

    private static BackendScaler Scaler(FakeKubernetesApiServer server) =>
        new(FakeCluster.Access(server), TimeProvider.System, NullLogger<BackendScaler>.Instance);

    private static async Task Patch(FakeKubernetesApiServer server, int replicas)
    {
        using var client = server.CreateClient();
        await k8s.AppsV1OperationsExtensions.PatchNamespacedDeploymentScaleAsync(
            client.AppsV1, new k8s.Models.V1Patch("{\"spec\":{\"replicas\":" + replicas + "}}", k8s.Models.V1Patch.PatchType.MergePatch), "cerberus-backend", "cerberus");
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

    private static ProposalRequest Request(string id, string? replicas = null) => new(
        "inc-1",
        id,
        "U123",
        DateTimeOffset.UtcNow,
        TimeSpan.FromMinutes(15),
        DryRun: false,
        replicas is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ScaleParameters.ReplicasArgument] = replicas });
}
