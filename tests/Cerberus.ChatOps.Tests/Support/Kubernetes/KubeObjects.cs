using k8s.Models;

namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>Builders for the objects the fake API server serves, shaped like a real cluster's.</summary>
public static class KubeObjects
{
    public const string Namespace = "cerberus";

    public static V1Pod Pod(
        string name,
        IDictionary<string, string> labels,
        bool ready = true,
        int restarts = 0,
        bool crashLoop = false,
        string container = "postgres",
        string? lastTerminated = null,
        string? claim = null,
        string mountPath = "/var/lib/postgresql",
        string? node = "node-1")
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Labels = labels },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = container, Image = "postgres:15", VolumeMounts = claim is null ? [] : [new V1VolumeMount { Name = "data", MountPath = mountPath }] }],
                Volumes = claim is null ? [] : [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } }],
            },
            Status = new V1PodStatus
            {
                Phase = "Running",
                ContainerStatuses =
                [
                    new V1ContainerStatus
                    {
                        Name = container,
                        Image = "postgres:15",
                        ImageID = "sha256:0",
                        Ready = ready && !crashLoop,
                        RestartCount = restarts,
                        State = crashLoop
                            ? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 5m0s restarting failed container" } }
                            : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } },
                        LastState = lastTerminated is null ? null : new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = lastTerminated, ExitCode = 1 } },
                    },
                ],
            },
        };
        return pod;
    }

    /// <summary>A Patroni member's pod (named like the member, as Patroni on Kubernetes names them), owned by a StatefulSet unless <paramref name="statefulSet"/> is null.</summary>
    public static V1Pod PatroniPod(string name, string role, string? ip = null, string? statefulSet = "postgres")
    {
        var pod = Pod(name, PatroniLabels(role));
        pod.Metadata.Uid = Guid.NewGuid().ToString();
        pod.Metadata.OwnerReferences = statefulSet is null
            ? null
            : [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = statefulSet, Uid = "sts-uid", Controller = true }];
        pod.Spec.NodeName = "node-" + name;
        pod.Status.PodIP = ip;
        return pod;
    }

    public static Dictionary<string, string> PatroniLabels(string role) => new(StringComparer.Ordinal)
    {
        ["application"] = "patroni",
        ["cluster-name"] = "cerberus-cluster",
        ["role"] = role,
    };

    public static Dictionary<string, string> BackendLabels() => new(StringComparer.Ordinal) { ["app"] = "cerberus-backend" };

    public static V1Deployment Deployment(string name, int replicas, IDictionary<string, string> selector, long generation = 1) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Generation = generation, ResourceVersion = "100" },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = selector },
            Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = selector }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "backend" }] } },
        },
        Status = new V1DeploymentStatus
        {
            ObservedGeneration = generation,
            Replicas = replicas,
            UpdatedReplicas = replicas,
            ReadyReplicas = replicas,
            AvailableReplicas = replicas,
        },
    };

    public static V2HorizontalPodAutoscaler Hpa(string name, string deployment, int min, int max) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            MinReplicas = min,
            MaxReplicas = max,
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = deployment },
        },
    };

    public static V1PersistentVolumeClaim Pvc(string name, string capacity, string? storageClass = "standard", string? request = null, string phase = "Bound") => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Uid = "uid-" + name, ResourceVersion = "100" },
        Spec = new V1PersistentVolumeClaimSpec
        {
            StorageClassName = storageClass,
            AccessModes = ["ReadWriteOnce"],
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new ResourceQuantity(request ?? capacity) } },
        },
        Status = new V1PersistentVolumeClaimStatus { Phase = phase, Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new ResourceQuantity(capacity) } },
    };

    /// <summary>A StorageClass; <paramref name="allowExpansion"/> null leaves allowVolumeExpansion absent (the API's default: no expansion).</summary>
    public static V1StorageClass StorageClass(string name, bool? allowExpansion, string provisioner = "ebs.csi.aws.com") => new()
    {
        ApiVersion = "storage.k8s.io/v1",
        Kind = "StorageClass",
        Metadata = new V1ObjectMeta { Name = name },
        Provisioner = provisioner,
        AllowVolumeExpansion = allowExpansion,
        ReclaimPolicy = "Delete",
        VolumeBindingMode = "WaitForFirstConsumer",
    };

    /// <summary>
    /// A kubelet Summary API document (stats/v1alpha1) for one node with one pod whose volumes are given as
    /// (volume name, pvc name or null, capacity, used, available).
    /// </summary>
    public static string NodeSummary(string node, string pod, params (string Volume, string? Pvc, long Capacity, long Used, long Available)[] volumes)
    {
        var items = new System.Text.Json.Nodes.JsonArray();
        foreach (var v in volumes)
        {
            var entry = new System.Text.Json.Nodes.JsonObject
            {
                ["time"] = "2026-11-26T08:00:00Z",
                ["availableBytes"] = v.Available,
                ["capacityBytes"] = v.Capacity,
                ["usedBytes"] = v.Used,
                ["inodesFree"] = 6488064,
                ["inodes"] = 6553600,
                ["inodesUsed"] = 65536,
                ["name"] = v.Volume,
            };
            if (v.Pvc is not null)
            {
                entry["pvcRef"] = new System.Text.Json.Nodes.JsonObject { ["name"] = v.Pvc, ["namespace"] = Namespace };
            }

            items.Add(entry);
        }

        var summary = new System.Text.Json.Nodes.JsonObject
        {
            ["node"] = new System.Text.Json.Nodes.JsonObject { ["nodeName"] = node },
            ["pods"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject
                {
                    ["podRef"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "other-pod", ["namespace"] = "kube-system", ["uid"] = "u0" },
                    ["volume"] = new System.Text.Json.Nodes.JsonArray(),
                },
                new System.Text.Json.Nodes.JsonObject
                {
                    ["podRef"] = new System.Text.Json.Nodes.JsonObject { ["name"] = pod, ["namespace"] = Namespace, ["uid"] = "u1" },
                    ["volume"] = items,
                }),
        };
        return summary.ToJsonString();
    }

    public static Corev1Event Warning(string reason, string message, string pod, DateTime at, int count = 1) => new()
    {
        ApiVersion = "v1",
        Kind = "Event",
        Metadata = new V1ObjectMeta { Name = $"{pod}.{reason}.{at.Ticks}", NamespaceProperty = Namespace },
        Type = "Warning",
        Reason = reason,
        Message = message,
        Count = count,
        LastTimestamp = at,
        FirstTimestamp = at,
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = Namespace },
    };
}
