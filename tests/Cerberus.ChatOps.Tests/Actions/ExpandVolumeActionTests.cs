using System.Globalization;
using Cerberus.ChatOps.Actions.Kubernetes;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>
/// PVC expansion against the fake API server, whose PATCH is admitted the way the API server admits it (StorageClass
/// with allowVolumeExpansion, never smaller) and then resizes: Resizing, FileSystemResizePending, the new capacity.
/// </summary>
public sealed class ExpandVolumeActionTests
{
    private const long GiB = 1024L * 1024 * 1024;
    private const string Leader = "pgdata-postgres-0";
    private const string Replica = "pgdata-postgres-1";

    [Fact]
    public async Task Execute_ExpandableClassDefaultSize_OneMergePatchThenFollowsResizingAndFileSystemResizeToTheNewCapacity()
    {
        // arrange: 20Gi, 93 % used (kubelet stats): the default is 1.5 × 20Gi = 30Gi
        await using var server = await ClusterAsync(allowExpansion: true);
        server.SetNodeSummary("node-1", KubeObjects.NodeSummary("node-1", "postgres-0", ("data", Leader, 20 * GiB, (long)(18.6 * GiB), (long)(1.4 * GiB))));
        var action = Action(server, o => o.KubeletVolumeStats = true);
        var progress = new ListProgress();

        // act
        var proposal = await action.ProposeAsync(Request(), CancellationToken.None);
        var record = proposal.Action ?? throw new Xunit.Sdk.XunitException(proposal.NotApplicableReason);
        var observed = await action.ObserveAsync(record, CancellationToken.None);
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
        var verified = await action.VerifyAsync(record, CancellationToken.None);

        // assert: the card
        Assert.Equal($"pvc cerberus/{Leader}", record.Target);
        Assert.Equal(
            $"PATCH v1 namespaces/cerberus/persistentvolumeclaims/{Leader} {{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"30Gi\"}}}}}}}} (merge patch), then follow status.conditions (Resizing, FileSystemResizePending) until status.capacity.storage reaches 30Gi (at most 5 s).",
            record.Description);
        Assert.Contains($"pvc/{Leader}: Bound, request 20Gi, capacity 20Gi, storage class fast (allowVolumeExpansion true, provisioner ebs.csi.aws.com)", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("mounted by postgres-0 (master)", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("93.0 % used, 1.4 GiB free (measured by kubelet Summary API on node-1", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("new size 30Gi: the default, 1.5 × 20 GiB rounded up to a whole GiB", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains($"the other members' data volumes are not grown by this action: {Replica} (postgres-1)", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("a PVC never shrinks: the new size is permanent", record.BasedOn, StringComparison.Ordinal);
        Assert.Null(record.RiskWarning);
        Assert.Equal($"pvc=cerberus/{Leader};uid=uid-{Leader};request={20 * GiB};capacity={20 * GiB};class=fast;expandable=true", record.ObservedFingerprint);
        Assert.Equal(record.ObservedFingerprint, observed);

        // assert: what ran
        var patch = Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal($"/api/v1/namespaces/cerberus/persistentvolumeclaims/{Leader}", patch.Path);
        Assert.Equal("{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"30Gi\"}}}}", patch.Body);
        Assert.True(executed.Succeeded, executed.Summary);
        Assert.Equal($"pvc/{Leader} grew from 20 GiB to 30Gi (status.capacity.storage)", executed.Summary);
        Assert.Equal($"PATCH sent: pvc/{Leader} spec.resources.requests.storage 20Gi → 30Gi", progress.Lines[0]);
        Assert.Contains(progress.Lines, l => l.StartsWith($"pvc/{Leader}: capacity 20Gi, Resizing since ", StringComparison.Ordinal));
        Assert.Contains(progress.Lines, l => l.StartsWith($"pvc/{Leader}: capacity 20Gi, FileSystemResizePending since ", StringComparison.Ordinal)
                                             && l.EndsWith(": Waiting for user to (re-)start a pod to finish file system resize of volume on node.", StringComparison.Ordinal));
        Assert.Equal($"pvc/{Leader}: capacity 30Gi", progress.Lines[^1]);
        Assert.Equal((20 * GiB).ToString(CultureInfo.InvariantCulture), executed.Figures[ActionFigureKeys.VolumeCapacityBefore]);
        Assert.Equal((30 * GiB).ToString(CultureInfo.InvariantCulture), executed.Figures[ActionFigureKeys.VolumeCapacityAfter]);
        Assert.Equal("1", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.True(verified.Succeeded, verified.Summary);
        Assert.StartsWith($"pvc/{Leader}: capacity 30Gi (was 20 GiB); the filesystem: 93.0 % used", verified.Summary, StringComparison.Ordinal);
        Assert.Empty(server.Errors);
    }

    [Theory]
    [InlineData(false, "has allowVolumeExpansion false: the API server refuses any larger request")]
    [InlineData(null, "has allowVolumeExpansion absent: the API server refuses any larger request")]
    public async Task Propose_ClassDoesNotAllowExpansion_NotApplicableAndNothingWritten(bool? allowExpansion, string expected)
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion);

        // act
        var proposal = await Action(server).ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Equal($"pvc/{Leader}'s storage class fast {expected}; free space another way, or move the data to a class that allows expansion.", proposal.NotApplicableReason);
        Assert.DoesNotContain(server.Requests, r => r.Method != "GET");
    }

    [Theory]
    [InlineData("20Gi", "the new size 20 GiB is not larger than pvc/pgdata-postgres-0's current 20Gi (20 GiB): a PVC only grows.")]
    [InlineData("10G", "the new size 9.3 GiB is not larger than pvc/pgdata-postgres-0's current 20Gi (20 GiB): a PVC only grows.")]
    [InlineData("300Gi", "the new size 300 GiB is more than 10 × pvc/pgdata-postgres-0's current 20 GiB (a typo?); propose a smaller size, or raise Cerberus__Kubernetes__MaxVolumeGrowthFactor.")]
    [InlineData("20x", "`20x` is not a size: use a Kubernetes quantity such as 30Gi, 500G or 1Ti.")]
    [InlineData("30gi", "`30gi` is not a size: use a Kubernetes quantity such as 30Gi, 500G or 1Ti.")]
    [InlineData("500m", "`500m` is not a whole, positive number of bytes.")]
    public async Task Propose_BadOrNotLargerSize_ClearAnswer(string size, string expected)
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);

        // act
        var proposal = await Action(server).ProposeAsync(Request((ExpandParameters.SizeArgument, size)), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Equal(expected, proposal.NotApplicableReason);
    }

    [Fact]
    public async Task Propose_NamedReplicaClaimAndSize_TargetsItAndNamesTheLeadersAsOther()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);

        // act
        var proposal = await Action(server).ProposeAsync(Request((ExpandParameters.PvcArgument, Replica), (ExpandParameters.SizeArgument, "0.125Ti")), CancellationToken.None);

        // assert
        var record = proposal.Action ?? throw new Xunit.Sdk.XunitException(proposal.NotApplicableReason);
        Assert.Equal($"pvc cerberus/{Replica}", record.Target);
        Assert.Equal("128Gi", record.Parameters[ExpandParameters.Size]);
        Assert.Contains("mounted by postgres-1 (replica)", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains($"not grown by this action: {Leader} (postgres-0)", record.BasedOn, StringComparison.Ordinal);
        Assert.Contains("new size 128Gi, as proposed", record.BasedOn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_ClaimThatIsNoPostgresDataVolume_Refused()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        server.AddPvc(KubeObjects.Pvc("grafana-data", "10Gi", "fast"));

        // act
        var proposal = await Action(server).ProposeAsync(Request((ExpandParameters.PvcArgument, "grafana-data")), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.Equal($"pvc/grafana-data is not the data volume of a postgres pod (label cluster-name=cerberus-cluster): the bot only grows the database's data volumes ({Leader} (postgres-0), {Replica} (postgres-1)).", proposal.NotApplicableReason);
        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith("/grafana-data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Propose_ResizeAlreadyPending_RefusedNamingTheCondition()
    {
        // arrange: the request is above the capacity and the kubelet has not grown the filesystem yet
        await using var server = await ClusterAsync(allowExpansion: true, leaderRequest: "30Gi");
        var pvc = KubeObjects.Pvc(Leader, "20Gi", "fast", request: "30Gi");
        pvc.Status.Conditions = [new k8s.Models.V1PersistentVolumeClaimCondition { Type = "FileSystemResizePending", Status = "True", Message = "Waiting for user to (re-)start a pod to finish file system resize of volume on node." }];
        server.AddPvc(pvc);

        // act
        var proposal = await Action(server).ProposeAsync(Request((ExpandParameters.SizeArgument, "40Gi")), CancellationToken.None);

        // assert
        Assert.Null(proposal.Action);
        Assert.StartsWith($"pvc/{Leader} is already being resized (request 30Gi, capacity 20Gi; FileSystemResizePending: Waiting for user", proposal.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_NoStorageClassOrNotBound_Refused()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        server.AddPvc(KubeObjects.Pvc(Leader, "20Gi", storageClass: null));
        server.AddPvc(KubeObjects.Pvc(Replica, "20Gi", "fast", phase: "Lost"));

        // act
        var leader = await Action(server).ProposeAsync(Request(), CancellationToken.None);
        var replica = await Action(server).ProposeAsync(Request((ExpandParameters.PvcArgument, Replica)), CancellationToken.None);

        // assert
        Assert.StartsWith($"pvc/{Leader} has no storage class, so nothing can expand it", leader.NotApplicableReason, StringComparison.Ordinal);
        Assert.Equal($"pvc/{Replica} is Lost, not Bound: only a bound claim can be expanded.", replica.NotApplicableReason);
    }

    [Fact]
    public async Task Propose_StorageClassesForbidden_RefusedNamingTheComponent()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        server.Map("GET", "/apis/storage.k8s.io/v1/storageclasses/[^/]+", (_, _) => FakeResponse.Failure(403, "Forbidden", "storageclasses.storage.k8s.io \"fast\" is forbidden"));

        // act
        var proposal = await Action(server).ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Equal($"pvc/{Leader}'s storage class fast cannot be read (forbidden: the bot's Role needs storageclasses get (a ClusterRole: components/volume-expansion)), so whether it allows expansion is unknown.", proposal.NotApplicableReason);
    }

    [Fact]
    public async Task Execute_ClassStopsAllowingExpansionAfterTheApproval_StateChangedAndNoPatch()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request(), CancellationToken.None)).Action!;
        server.AddStorageClass(KubeObjects.StorageClass("fast", allowExpansion: false));
        var progress = new ListProgress();

        // act
        var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.NotNull(executed.StateChange);
        Assert.Contains("expandable=true → cerberus/", executed.StateChange, StringComparison.Ordinal);
        Assert.Contains("expandable=false (pvc/pgdata-postgres-0's storage class fast has allowVolumeExpansion false", executed.StateChange, StringComparison.Ordinal);
        Assert.Equal("0", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.StartsWith("PATCH not sent: the state changed since the approval", Assert.Single(progress.Lines), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Execute_SomeoneGrewItMeanwhile_StateChangedAndNoPatch()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request((ExpandParameters.SizeArgument, "25Gi")), CancellationToken.None)).Action!;
        server.AddPvc(KubeObjects.Pvc(Leader, "40Gi", "fast"));

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.NotNull(executed.StateChange);
        Assert.Contains("the new size 25 GiB is not larger than pvc/pgdata-postgres-0's current 40Gi", executed.StateChange, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Execute_FileSystemResizeNeverHappens_FailsAfterTheDeadlineSayingThePodRestartIsTheOperatorsDecision()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        server.ResizeEnd = FakeResizeEnd.FileSystemPending;
        var action = Action(server, o => o.VolumeResizeTimeout = TimeSpan.FromMilliseconds(400));
        var record = (await action.ProposeAsync(Request(), CancellationToken.None)).Action!;

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Null(executed.StateChange);
        Assert.StartsWith($"pvc/{Leader}: capacity 20Gi after 0.4 s, not yet the 30 GiB requested: the volume itself is larger, and the filesystem waits for the kubelet (FileSystemResizePending)", executed.Summary, StringComparison.Ordinal);
        Assert.Contains("restarting the leader's pod restarts PostgreSQL (a failover if Patroni decides so): decide that apart, the bot does not restart it", executed.Summary, StringComparison.Ordinal);
        Assert.Equal("1", executed.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.False(executed.Figures.ContainsKey(ActionFigureKeys.VolumeCapacityAfter));
        Assert.DoesNotContain(server.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task Execute_ControllerResizeError_FailsAtOnceWithTheMessageAndTheWarningEvents()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        server.ResizeEnd = FakeResizeEnd.ControllerError;
        server.AddEvent(new k8s.Models.Corev1Event
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "e1", NamespaceProperty = KubeObjects.Namespace },
            Type = "Warning",
            Reason = "VolumeResizeFailed",
            Message = "resize volume \"pvc-123\" by resizer \"ebs.csi.aws.com\" failed: rpc error: VolumeModificationRateExceeded",
            LastTimestamp = DateTime.UtcNow,
            InvolvedObject = new k8s.Models.V1ObjectReference { Kind = "PersistentVolumeClaim", Name = Leader, NamespaceProperty = KubeObjects.Namespace },
        });
        var action = Action(server, o => o.VolumeResizeTimeout = TimeSpan.FromSeconds(30));
        var record = (await action.ProposeAsync(Request(), CancellationToken.None)).Action!;
        var started = DateTimeOffset.UtcNow;

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(10), "it waited for the deadline instead of stopping at the error");
        Assert.StartsWith($"pvc/{Leader}: the resize failed (ControllerResizeError: resize volume \"pvc-123\" by resizer \"ebs.csi.aws.com\" failed: VolumeModificationRateExceeded", executed.Summary, StringComparison.Ordinal);
        Assert.Contains("; its Warning events: VolumeResizeFailed: resize volume", executed.Summary, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Path == "/api/v1/namespaces/cerberus/events"
            && r.QueryValue("fieldSelector") == $"involvedObject.kind=PersistentVolumeClaim,involvedObject.name={Leader},type=Warning");
    }

    [Fact]
    public async Task Execute_QuotaRefusesThePatch_FailureWithTheServersReasonAndNothingChanged()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        server.Map("PATCH", "/api/v1/namespaces/cerberus/persistentvolumeclaims/[^/]+", (_, _) => FakeResponse.Failure(403, "Forbidden",
            $"persistentvolumeclaims \"{Leader}\" is forbidden: exceeded quota: storage, requested: requests.storage=10Gi, used: requests.storage=40Gi, limited: requests.storage=45Gi"));
        var action = Action(server);
        var record = (await action.ProposeAsync(Request(), CancellationToken.None)).Action!;

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(executed.Succeeded);
        Assert.Equal($"Expanding pvc/{Leader} to 30Gi failed, nothing was changed: forbidden: the bot's Role needs persistentvolumeclaims patch (components/volume-expansion): persistentvolumeclaims \"{Leader}\" is forbidden: exceeded quota: storage, requested: requests.storage=10Gi, used: requests.storage=40Gi, limited: requests.storage=45Gi", executed.Summary);
        Assert.False(executed.Figures.ContainsKey(ActionOutcome.SideEffectsDoneFigure));
    }

    [Fact]
    public async Task Execute_DryRun_NothingSent()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request(dryRun: true), CancellationToken.None)).Action!;

        // act
        var executed = await action.ExecuteAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.True(executed.Succeeded);
        Assert.StartsWith($"Dry run: would send PATCH v1 namespaces/cerberus/persistentvolumeclaims/{Leader} ", executed.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Reconcile_PatchWentOutBeforeTheRestart_FollowsWithoutASecondPatch()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request(), CancellationToken.None)).Action!;
        await new VolumeExpander(FakeCluster.Access(server), FakeCluster.Meter(FakeCluster.Access(server)), TimeProvider.System, NullLogger<VolumeExpander>.Instance)
            .PatchAsync(server.CreateClient(), Leader, "30Gi", CancellationToken.None);
        var progress = new ListProgress();

        // act
        var reconciled = await action.ReconcileAsync(record, progress, CancellationToken.None);

        // assert
        Assert.True(reconciled.Succeeded, reconciled.Summary);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal("The PATCH was applied before the bot restarted (request 30Gi); following the resize", progress.Lines[0]);
        Assert.Equal((30 * GiB).ToString(CultureInfo.InvariantCulture), reconciled.Figures[ActionFigureKeys.VolumeCapacityAfter]);
    }

    [Fact]
    public async Task Reconcile_PatchNeverSent_NothingChangedProposeAgain()
    {
        // arrange
        await using var server = await ClusterAsync(allowExpansion: true);
        var action = Action(server);
        var record = (await action.ProposeAsync(Request(), CancellationToken.None)).Action!;

        // act
        var reconciled = await action.ReconcileAsync(record, new ListProgress(), CancellationToken.None);

        // assert
        Assert.False(reconciled.Succeeded);
        Assert.Equal($"The PATCH was not applied before the restart of the bot (pvc/{Leader} still requests 20Gi). Nothing was changed; propose the expansion again.", reconciled.Summary);
        Assert.Equal("0", reconciled.Figures[ActionOutcome.SideEffectsDoneFigure]);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Propose_KubernetesOff_NotApplicableWithTheReason()
    {
        // arrange
        var access = FakeCluster.Off();
        var action = new ExpandVolumeAction(
            new VolumeExpander(access, FakeCluster.Meter(access), TimeProvider.System, NullLogger<VolumeExpander>.Instance), TimeProvider.System, NullLogger<ExpandVolumeAction>.Instance);

        // act
        var proposal = await action.ProposeAsync(Request(), CancellationToken.None);

        // assert
        Assert.Equal(KubernetesAccess.OffReason, proposal.NotApplicableReason);
    }

    /// <summary>Two Patroni pods, each with its data PVC of 20Gi in storage class "fast".</summary>
    private static async Task<FakeKubernetesApiServer> ClusterAsync(bool? allowExpansion, string? leaderRequest = null)
    {
        var server = await FakeKubernetesApiServer.StartAsync();
        server.ResizeStep = TimeSpan.FromMilliseconds(50);
        server.AddPod(KubeObjects.Pod("postgres-0", KubeObjects.PatroniLabels("master"), claim: Leader));
        server.AddPod(KubeObjects.Pod("postgres-1", KubeObjects.PatroniLabels("replica"), claim: Replica));
        server.AddPvc(KubeObjects.Pvc(Leader, "20Gi", "fast", request: leaderRequest));
        server.AddPvc(KubeObjects.Pvc(Replica, "20Gi", "fast"));
        server.AddStorageClass(KubeObjects.StorageClass("fast", allowExpansion));
        return server;
    }

    private static ExpandVolumeAction Action(FakeKubernetesApiServer server, Action<KubernetesOptions>? configure = null)
    {
        var access = FakeCluster.Access(server, o =>
        {
            o.VolumeResizeTimeout = TimeSpan.FromSeconds(5);
            o.VolumeResizePollInterval = TimeSpan.FromMilliseconds(20);
            configure?.Invoke(o);
        });
        return new ExpandVolumeAction(
            new VolumeExpander(access, FakeCluster.Meter(access), TimeProvider.System, NullLogger<VolumeExpander>.Instance), TimeProvider.System, NullLogger<ExpandVolumeAction>.Instance);
    }

    private static ProposalRequest Request(params (string Key, string Value)[] arguments) => Request(false, arguments);

    private static ProposalRequest Request(bool dryRun, params (string Key, string Value)[] arguments) =>
        new("INC-1", "a-" + Guid.NewGuid().ToString("N")[..8], "U1", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), dryRun,
            arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));
}
