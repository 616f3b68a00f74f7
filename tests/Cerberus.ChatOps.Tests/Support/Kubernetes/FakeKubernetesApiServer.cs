using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>
/// A fake Kubernetes API server the way KubernetesClient tests itself (MockKubeApiServer): a real Kestrel server on
/// 127.0.0.1, port 0, with a route table (verb + path → status + body) that records every request with its body.
/// Built-in routes serve pods (label selectors), pod logs (tailLines, previous, limitBytes), events, deployments,
/// deployments/scale GET and merge PATCH (the rollout then becomes available one replica per <see cref="ReplicaStep"/>),
/// a deployment PATCH of its pod-template annotations (a rolling restart: the controller observes the new generation
/// after one step, then replaces one pod per step with one surge pod, all replicas staying available),
/// autoscaling/v2 HPAs, PVCs (GET, and a merge PATCH of spec.resources.requests.storage that the admission checks as
/// the API server does and that then resizes: Resizing, FileSystemResizePending, the new capacity, one
/// <see cref="ResizeStep"/> each, or stops where <see cref="ResizeEnd"/> says), storage.k8s.io StorageClasses, the
/// kubelet Summary API through the node proxy (<c>nodes/{node}/proxy/stats/summary</c>), a pod by name and its DELETE
/// (gracePeriodSeconds, a uid precondition answered 409 when it fails; the pod terminates for
/// <see cref="PodTerminationDelay"/>, and one a StatefulSet or ReplicaSet controls comes back with a new uid after
/// <see cref="PodRecreateDelay"/>), and pods/exec over a WebSocket with the v4.channel.k8s.io subprotocol.
/// Routes added with <see cref="Map"/> take precedence over the built-in ones.
/// </summary>
public sealed class FakeKubernetesApiServer : IAsyncDisposable
{
    public const string ExecProtocol = "v4.channel.k8s.io";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<(string Method, Regex Path, Func<RecordedRequest, Match, FakeResponse> Handler)> _overrides = [];
    private readonly List<(string Method, Regex Path, Func<RecordedRequest, Match, FakeResponse> Handler)> _builtIn = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<string> _errors = [];
    private readonly List<V1Pod> _pods = [];
    private readonly Dictionary<string, DateTimeOffset> _podsGoneAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, V1Pod Pod)> _podsBackAt = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Pod, string Container, bool Previous), string> _logs = [];
    private readonly List<Corev1Event> _events = [];
    private readonly Dictionary<string, V1Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, int From, int Target)> _rollouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, int Replicas)> _restarts = new(StringComparer.Ordinal);
    private readonly List<V2HorizontalPodAutoscaler> _hpas = [];
    private readonly Dictionary<string, V1PersistentVolumeClaim> _pvcs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, long From, long To)> _resizes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1StorageClass> _storageClasses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeSummaries = new(StringComparer.Ordinal);

    private FakeKubernetesApiServer(WebApplication app)
    {
        _app = app;
        var ns = "(?<ns>[^/]+)";
        var name = "(?<name>[^/]+)";
        Builtin("GET", $"/api/v1/namespaces/{ns}/pods", ListPods);
        Builtin("GET", $"/api/v1/namespaces/{ns}/pods/{name}/log", ReadLog);
        Builtin("GET", $"/api/v1/namespaces/{ns}/pods/{name}", ReadPod);
        Builtin("DELETE", $"/api/v1/namespaces/{ns}/pods/{name}", DeletePod);
        Builtin("GET", $"/api/v1/namespaces/{ns}/events", ListEvents);
        Builtin("GET", $"/apis/apps/v1/namespaces/{ns}/deployments/{name}", ReadDeployment);
        Builtin("PATCH", $"/apis/apps/v1/namespaces/{ns}/deployments/{name}", PatchDeployment);
        Builtin("GET", $"/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale", ReadScale);
        Builtin("PATCH", $"/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale", PatchScale);
        Builtin("GET", $"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers", ListHpas);
        Builtin("GET", $"/api/v1/namespaces/{ns}/persistentvolumeclaims/{name}", ReadPvc);
        Builtin("PATCH", $"/api/v1/namespaces/{ns}/persistentvolumeclaims/{name}", PatchPvc);
        Builtin("GET", $"/apis/storage.k8s.io/v1/storageclasses/{name}", ReadStorageClass);
        Builtin("GET", $"/api/v1/nodes/{name}/proxy/stats/summary", ReadNodeSummary);
    }

    public Uri Uri { get; private set; } = null!;

    /// <summary>How long each new replica takes to become available after a scale-up PATCH.</summary>
    public TimeSpan ReplicaStep { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the pods of a scaled-down deployment keep terminating before they are gone.</summary>
    public TimeSpan PodTerminationDelay { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a deleted pod that a controller owns stays away before the controller creates it again (a new uid).</summary>
    public TimeSpan PodRecreateDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Called (outside the fake's lock) after a pod DELETE was accepted, with the pod's name: a lab test stops the real member here.</summary>
    public Action<string>? PodDeleted { get; set; }

    /// <summary>How long each step of a PVC resize takes (Resizing, then FileSystemResizePending, then the new capacity).</summary>
    public TimeSpan ResizeStep { get; set; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Where a PVC resize ends.</summary>
    public FakeResizeEnd ResizeEnd { get; set; } = FakeResizeEnd.Completes;

    /// <summary>When true, a scale-up never becomes available and reports Progressing=False ProgressDeadlineExceeded.</summary>
    public bool FailRollouts { get; set; }

    /// <summary>How long to hold a request before answering it (a hung API server or kubelet); zero = answer at once.</summary>
    public Func<RecordedRequest, TimeSpan> Delay { get; set; } = _ => TimeSpan.Zero;

    /// <summary>Answers pods/exec: (pod, container, command) → stdout, stderr, exit code.</summary>
    public Func<string, string?, IReadOnlyList<string>, FakeExecResult> Exec { get; set; } =
        (_, _, command) => new FakeExecResult(string.Empty, $"{command[0]}: not found", 127);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>Exceptions the fake's own handlers threw (answered as 500); a test can assert there were none.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_lock)
            {
                return _errors.ToList();
            }
        }
    }

    public static async Task<FakeKubernetesApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeKubernetesApiServer(app);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    /// <summary>A client pointed at this server, as KubernetesClient's own tests build it.</summary>
    public IKubernetes CreateClient() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Uri.ToString() });

    /// <summary>Adds a route (verb + path regex, anchored) that wins over the built-in ones.</summary>
    public void Map(string method, string pathPattern, Func<RecordedRequest, Match, FakeResponse> handler)
    {
        lock (_lock)
        {
            _overrides.Insert(0, (method, new Regex("^" + pathPattern + "$", RegexOptions.CultureInvariant), handler));
        }
    }

    public void AddPod(V1Pod pod)
    {
        lock (_lock)
        {
            _pods.Add(pod);
        }
    }

    /// <summary>Sets the log of a container (lines with the kubelet's RFC 3339 timestamps); previous = the terminated container's.</summary>
    public void SetLog(string pod, string container, string text, bool previous = false)
    {
        lock (_lock)
        {
            _logs[(pod, container, previous)] = text;
        }
    }

    public void AddEvent(Corev1Event e)
    {
        lock (_lock)
        {
            _events.Add(e);
        }
    }

    public void AddDeployment(V1Deployment deployment)
    {
        lock (_lock)
        {
            _deployments[deployment.Metadata.Name] = deployment;
        }
    }

    public void AddHpa(V2HorizontalPodAutoscaler hpa)
    {
        lock (_lock)
        {
            _hpas.Add(hpa);
        }
    }

    public void AddPvc(V1PersistentVolumeClaim pvc)
    {
        lock (_lock)
        {
            _pvcs[pvc.Metadata.Name] = pvc;
        }
    }

    public void AddStorageClass(V1StorageClass storageClass)
    {
        lock (_lock)
        {
            _storageClasses[storageClass.Metadata.Name] = storageClass;
        }
    }

    /// <summary>The kubelet Summary API document (stats/v1alpha1 JSON) the node proxy serves for <paramref name="node"/>.</summary>
    public void SetNodeSummary(string node, string json)
    {
        lock (_lock)
        {
            _nodeSummaries[node] = json;
        }
    }

    /// <summary>The PVC as a client would read it now (with the resize status reached by now).</summary>
    public V1PersistentVolumeClaim Pvc(string name)
    {
        lock (_lock)
        {
            return KubernetesJson.Deserialize<V1PersistentVolumeClaim>(KubernetesJson.Serialize(WithResizeStatus(_pvcs[name])));
        }
    }

    public V1Deployment Deployment(string name)
    {
        lock (_lock)
        {
            return KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(WithStatus(_deployments[name])));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Builtin(string method, string pattern, Func<RecordedRequest, Match, FakeResponse> handler) =>
        _builtIn.Add((method, new Regex("^" + pattern + "$", RegexOptions.CultureInvariant), handler));

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (context.WebSockets.IsWebSocketRequest)
        {
            await ExecAsync(context, path);
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new RecordedRequest(context.Request.Method, path, context.Request.QueryString.Value ?? string.Empty, body, WebSocket: false);
        FakeResponse response;
        lock (_lock)
        {
            _requests.Add(request);
            try
            {
                response = Route(request);
            }
            catch (Exception ex)
            {
                _errors.Add($"{request.Method} {request.Path}: {ex}");
                response = new FakeResponse(500, "text/plain", ex.ToString());
            }
        }

        if (request.Method == "DELETE" && response.Status == 200 && PodDeleted is { } deleted && Regex.Match(request.Path, "/pods/(?<name>[^/]+)$", RegexOptions.CultureInvariant) is { Success: true } pm)
        {
            deleted(pm.Groups["name"].Value);
        }

        var delay = Delay(request);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    private FakeResponse Route(RecordedRequest request)
    {
        foreach (var (method, pattern, handler) in _overrides.Concat(_builtIn))
        {
            if (string.Equals(method, request.Method, StringComparison.OrdinalIgnoreCase) && pattern.Match(request.Path) is { Success: true } m)
            {
                return handler(request, m);
            }
        }

        return FakeResponse.Failure(404, "NotFound", $"the fake API server has no route for {request.Method} {request.Path}");
    }

    /// <summary>Terminated pods go, re-created ones come back: what the kubelet and the controllers did by now.</summary>
    private void SettlePods()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var gone in _podsGoneAt.Where(p => p.Value <= now).Select(p => p.Key).ToList())
        {
            _pods.RemoveAll(p => string.Equals(p.Metadata.Name, gone, StringComparison.Ordinal));
            _podsGoneAt.Remove(gone);
        }

        foreach (var (name, (at, pod)) in _podsBackAt.Where(p => p.Value.At <= now && !_podsGoneAt.ContainsKey(p.Key)).ToList())
        {
            _pods.Add(pod);
            _podsBackAt.Remove(name);
        }
    }

    private FakeResponse ReadPod(RecordedRequest request, Match m)
    {
        SettlePods();
        var pod = _pods.FirstOrDefault(p => string.Equals(p.Metadata.Name, m.Groups["name"].Value, StringComparison.Ordinal));
        return pod is null ? FakeResponse.Failure(404, "NotFound", $"pods \"{m.Groups["name"].Value}\" not found") : FakeResponse.Json(pod);
    }

    /// <summary>
    /// DELETE of a pod as the API server does it: the body's preconditions.uid must match (409 Conflict otherwise), the
    /// pod gets its deletionTimestamp and deletionGracePeriodSeconds (the query's gracePeriodSeconds, else the body's, else
    /// 30) and is answered; it is gone after <see cref="PodTerminationDelay"/>, and back with a new uid after
    /// <see cref="PodRecreateDelay"/> more when a controller owns it.
    /// </summary>
    private FakeResponse DeletePod(RecordedRequest request, Match m)
    {
        SettlePods();
        var name = m.Groups["name"].Value;
        var pod = _pods.FirstOrDefault(p => string.Equals(p.Metadata.Name, name, StringComparison.Ordinal));
        if (pod is null)
        {
            return FakeResponse.Failure(404, "NotFound", $"pods \"{name}\" not found");
        }

        var body = string.IsNullOrWhiteSpace(request.Body) ? null : JsonNode.Parse(request.Body);
        var uid = body?["preconditions"]?["uid"]?.GetValue<string>();
        if (uid is not null && !string.Equals(uid, pod.Metadata.Uid, StringComparison.Ordinal))
        {
            return FakeResponse.Failure(409, "Conflict",
                $"Operation cannot be fulfilled on Pod \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {pod.Metadata.Uid}");
        }

        var grace = int.TryParse(request.QueryValue("gracePeriodSeconds"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var q) ? q
            : body?["gracePeriodSeconds"]?.GetValue<int>() ?? 30;
        var now = DateTimeOffset.UtcNow;
        if (pod.Metadata.DeletionTimestamp is null)
        {
            pod.Metadata.DeletionTimestamp = now.UtcDateTime;
            pod.Metadata.DeletionGracePeriodSeconds = grace;
            _podsGoneAt[name] = now + PodTerminationDelay;
            if (pod.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind is "StatefulSet" or "ReplicaSet") == true)
            {
                var again = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
                again.Metadata.DeletionTimestamp = null;
                again.Metadata.DeletionGracePeriodSeconds = null;
                again.Metadata.Uid = Guid.NewGuid().ToString();
                _podsBackAt[name] = (now + PodTerminationDelay + PodRecreateDelay, again);
            }
        }

        return FakeResponse.Json(pod);
    }

    private FakeResponse ListPods(RecordedRequest request, Match m)
    {
        SettlePods();
        var selector = Selector(request.QueryValue("labelSelector"));
        var items = _pods.Where(p => string.Equals(p.Metadata.NamespaceProperty ?? m.Groups["ns"].Value, m.Groups["ns"].Value, StringComparison.Ordinal) && Matches(p.Metadata.Labels, selector)).ToList();
        return FakeResponse.Json(new V1PodList { ApiVersion = "v1", Kind = "PodList", Metadata = new V1ListMeta(), Items = items });
    }

    private FakeResponse ReadLog(RecordedRequest request, Match m)
    {
        var pod = m.Groups["name"].Value;
        var container = request.QueryValue("container");
        var previous = string.Equals(request.QueryValue("previous"), "true", StringComparison.OrdinalIgnoreCase);
        if (!_logs.TryGetValue((pod, container, previous), out var text))
        {
            return previous
                ? FakeResponse.Failure(400, "BadRequest", $"previous terminated container \"{container}\" in pod \"{pod}\" not found")
                : FakeResponse.Text(string.Empty);
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (int.TryParse(request.QueryValue("tailLines"), NumberStyles.None, CultureInfo.InvariantCulture, out var tail))
        {
            lines = lines.TakeLast(tail).ToList();
        }

        if (!string.Equals(request.QueryValue("timestamps"), "true", StringComparison.OrdinalIgnoreCase))
        {
            lines = lines.Select(l => l.Contains(' ', StringComparison.Ordinal) ? l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..] : l).ToList();
        }

        var result = string.Join('\n', lines) + "\n";
        if (int.TryParse(request.QueryValue("limitBytes"), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && Encoding.UTF8.GetByteCount(result) > limit)
        {
            result = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(result), 0, limit);
        }

        return FakeResponse.Text(result);
    }

    private FakeResponse ListEvents(RecordedRequest request, Match m)
    {
        var fields = Selector(request.QueryValue("fieldSelector"));
        var items = _events.Where(e =>
            (!fields.TryGetValue("type", out var type) || string.Equals(e.Type, type, StringComparison.Ordinal))
            && (!fields.TryGetValue("involvedObject.kind", out var kind) || string.Equals(e.InvolvedObject?.Kind, kind, StringComparison.Ordinal))
            && (!fields.TryGetValue("involvedObject.name", out var name) || string.Equals(e.InvolvedObject?.Name, name, StringComparison.Ordinal))).ToList();
        return FakeResponse.Json(new Corev1EventList { ApiVersion = "v1", Kind = "EventList", Metadata = new V1ListMeta(), Items = items });
    }

    private FakeResponse ReadDeployment(RecordedRequest request, Match m) =>
        _deployments.TryGetValue(m.Groups["name"].Value, out var d)
            ? FakeResponse.Json(WithStatus(d))
            : FakeResponse.Failure(404, "NotFound", $"deployments.apps \"{m.Groups["name"].Value}\" not found");

    private FakeResponse ReadScale(RecordedRequest request, Match m)
    {
        if (!_deployments.TryGetValue(m.Groups["name"].Value, out var d))
        {
            return FakeResponse.Failure(404, "NotFound", $"deployments.apps \"{m.Groups["name"].Value}\" not found");
        }

        var status = WithStatus(d).Status;
        return FakeResponse.Json(new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta { Name = d.Metadata.Name, NamespaceProperty = d.Metadata.NamespaceProperty, ResourceVersion = d.Metadata.ResourceVersion },
            Spec = new V1ScaleSpec { Replicas = d.Spec.Replicas },
            Status = new V1ScaleStatus { Replicas = status?.Replicas ?? 0, Selector = string.Join(",", d.Spec.Selector.MatchLabels.Select(p => $"{p.Key}={p.Value}")) },
        });
    }

    /// <summary>Applies the merge patch's spec.replicas, bumps generation, starts the simulated rollout.</summary>
    private FakeResponse PatchScale(RecordedRequest request, Match m)
    {
        var name = m.Groups["name"].Value;
        if (!_deployments.TryGetValue(name, out var d))
        {
            return FakeResponse.Failure(404, "NotFound", $"deployments.apps \"{name}\" not found");
        }

        var replicas = JsonNode.Parse(request.Body)?["spec"]?["replicas"]?.GetValue<int>();
        if (replicas is null)
        {
            return FakeResponse.Failure(422, "Invalid", "spec.replicas is required");
        }

        var current = WithStatus(d);
        var from = current.Status?.AvailableReplicas ?? 0;
        d.Spec.Replicas = replicas;
        d.Metadata.Generation = (d.Metadata.Generation ?? 1) + 1;
        var now = DateTimeOffset.UtcNow;
        _restarts.Remove(name);
        _rollouts[name] = (now, from, replicas.Value);
        var selector = d.Spec.Selector.MatchLabels;
        var pods = _pods.Where(p => Matches(p.Metadata.Labels, selector)).ToList();
        if (replicas.Value < pods.Count)
        {
            foreach (var pod in pods.Skip(replicas.Value))
            {
                pod.Metadata.DeletionTimestamp = now.UtcDateTime;
                _podsGoneAt[pod.Metadata.Name] = now + PodTerminationDelay;
            }
        }
        else
        {
            for (var i = pods.Count; i < replicas.Value; i++)
            {
                _pods.Add(KubeObjects.Pod($"{name}-{d.Metadata.Generation}-{i}", new Dictionary<string, string>(selector), ready: !FailRollouts));
            }
        }

        return ReadScale(request, m);
    }

    /// <summary>
    /// A strategic merge / merge PATCH of spec.template.metadata.annotations (what <c>kubectl rollout restart</c>
    /// sends): merges them, bumps generation, starts a rolling replacement. Any other field is refused (422).
    /// </summary>
    private FakeResponse PatchDeployment(RecordedRequest request, Match m)
    {
        var name = m.Groups["name"].Value;
        if (!_deployments.TryGetValue(name, out var d))
        {
            return FakeResponse.Failure(404, "NotFound", $"deployments.apps \"{name}\" not found");
        }

        var body = JsonNode.Parse(request.Body)?.AsObject();
        var annotations = body?["spec"]?["template"]?["metadata"]?["annotations"]?.AsObject();
        if (annotations is null || body!.Count != 1 || body["spec"]!.AsObject().Count != 1)
        {
            return FakeResponse.Failure(422, "Invalid", "the fake accepts only spec.template.metadata.annotations");
        }

        d.Spec.Template.Metadata ??= new V1ObjectMeta();
        d.Spec.Template.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in annotations)
        {
            d.Spec.Template.Metadata.Annotations[key] = value!.GetValue<string>();
        }

        d.Metadata.Generation = (d.Metadata.Generation ?? 1) + 1;
        _restarts[name] = (DateTimeOffset.UtcNow, d.Spec.Replicas ?? 1);
        _rollouts.Remove(name);
        return FakeResponse.Json(WithStatus(d));
    }

    private FakeResponse ListHpas(RecordedRequest request, Match m) =>
        FakeResponse.Json(new V2HorizontalPodAutoscalerList { ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscalerList", Metadata = new V1ListMeta(), Items = _hpas.ToList() });

    private FakeResponse ReadPvc(RecordedRequest request, Match m) =>
        _pvcs.TryGetValue(m.Groups["name"].Value, out var pvc)
            ? FakeResponse.Json(WithResizeStatus(pvc))
            : FakeResponse.Failure(404, "NotFound", $"persistentvolumeclaims \"{m.Groups["name"].Value}\" not found");

    /// <summary>
    /// A merge PATCH of spec.resources.requests.storage, admitted as the API server admits it: the claim must be bound
    /// and its StorageClass must have allowVolumeExpansion true (PersistentVolumeClaimResize admission, 403), the size
    /// must not shrink (validation, 422); any other field is refused. Then the simulated resize starts.
    /// </summary>
    private FakeResponse PatchPvc(RecordedRequest request, Match m)
    {
        var name = m.Groups["name"].Value;
        if (!_pvcs.TryGetValue(name, out var pvc))
        {
            return FakeResponse.Failure(404, "NotFound", $"persistentvolumeclaims \"{name}\" not found");
        }

        var body = JsonNode.Parse(request.Body)?.AsObject();
        var storage = body?["spec"]?["resources"]?["requests"]?["storage"]?.GetValue<string>();
        if (storage is null || body!.Count != 1 || body["spec"]!.AsObject().Count != 1 || body["spec"]!["resources"]!.AsObject().Count != 1)
        {
            return FakeResponse.Failure(422, "Invalid", "the fake accepts only spec.resources.requests.storage");
        }

        var current = WithResizeStatus(pvc);
        var className = pvc.Spec.StorageClassName;
        if (string.IsNullOrEmpty(className) || !_storageClasses.TryGetValue(className, out var sc) || sc.AllowVolumeExpansion != true
            || !string.Equals(current.Status?.Phase, "Bound", StringComparison.Ordinal))
        {
            return FakeResponse.Failure(403, "Forbidden",
                $"persistentvolumeclaims \"{name}\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize");
        }

        var requested = new ResourceQuantity(storage).ToInt64();
        var capacity = current.Status?.Capacity?["storage"].ToInt64() ?? 0;
        if (requested < capacity)
        {
            return FakeResponse.Failure(422, "Invalid", $"PersistentVolumeClaim \"{name}\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity");
        }

        pvc.Spec.Resources ??= new V1VolumeResourceRequirements();
        pvc.Spec.Resources.Requests ??= new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        pvc.Spec.Resources.Requests["storage"] = new ResourceQuantity(storage);
        pvc.Metadata.ResourceVersion = ((long.TryParse(pvc.Metadata.ResourceVersion, CultureInfo.InvariantCulture, out var rv) ? rv : 100) + 1).ToString(CultureInfo.InvariantCulture);
        if (requested > capacity)
        {
            _resizes[name] = (DateTimeOffset.UtcNow, capacity, requested);
        }

        return FakeResponse.Json(WithResizeStatus(pvc));
    }

    /// <summary>The PVC with the status the resize controllers would report by now (step 0 Resizing, 1 FileSystemResizePending, 2 done).</summary>
    private V1PersistentVolumeClaim WithResizeStatus(V1PersistentVolumeClaim pvc)
    {
        if (!_resizes.TryGetValue(pvc.Metadata.Name, out var resize))
        {
            return pvc;
        }

        var steps = (int)((DateTimeOffset.UtcNow - resize.At) / ResizeStep);
        var at = resize.At.UtcDateTime;
        pvc.Status ??= new V1PersistentVolumeClaimStatus();
        pvc.Status.Conditions = ResizeEnd switch
        {
            FakeResizeEnd.ControllerError when steps >= 1 =>
                [new V1PersistentVolumeClaimCondition { Type = "ControllerResizeError", Status = "True", LastTransitionTime = at, Message = "resize volume \"pvc-123\" by resizer \"ebs.csi.aws.com\" failed: VolumeModificationRateExceeded: You've reached the maximum modification rate per volume limit" }],
            FakeResizeEnd.Never or FakeResizeEnd.ControllerError => [new V1PersistentVolumeClaimCondition { Type = "Resizing", Status = "True", LastTransitionTime = at }],
            _ when steps == 0 => [new V1PersistentVolumeClaimCondition { Type = "Resizing", Status = "True", LastTransitionTime = at }],
            FakeResizeEnd.FileSystemPending => [FileSystemResizePending(at)],
            _ when steps == 1 => [FileSystemResizePending(at)],
            _ => [],
        };
        if (ResizeEnd == FakeResizeEnd.Completes && steps >= 2)
        {
            pvc.Status.Capacity = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["storage"] = pvc.Spec.Resources.Requests["storage"] };
            _resizes.Remove(pvc.Metadata.Name);
        }

        return pvc;
    }

    private static V1PersistentVolumeClaimCondition FileSystemResizePending(DateTime at) => new()
    {
        Type = "FileSystemResizePending",
        Status = "True",
        LastTransitionTime = at,
        Message = "Waiting for user to (re-)start a pod to finish file system resize of volume on node.",
    };

    private FakeResponse ReadStorageClass(RecordedRequest request, Match m) =>
        _storageClasses.TryGetValue(m.Groups["name"].Value, out var sc)
            ? FakeResponse.Json(sc)
            : FakeResponse.Failure(404, "NotFound", $"storageclasses.storage.k8s.io \"{m.Groups["name"].Value}\" not found");

    private FakeResponse ReadNodeSummary(RecordedRequest request, Match m) =>
        _nodeSummaries.TryGetValue(m.Groups["name"].Value, out var json)
            ? new FakeResponse(200, "application/json", json)
            : FakeResponse.Failure(503, "ServiceUnavailable", $"error trying to reach service: dial tcp: lookup {m.Groups["name"].Value}: no such host");

    /// <summary>The deployment with the status a controller would report by now.</summary>
    private V1Deployment WithStatus(V1Deployment d)
    {
        if (_restarts.TryGetValue(d.Metadata.Name, out var restart))
        {
            return WithRestartStatus(d, restart.At, restart.Replicas);
        }

        if (!_rollouts.TryGetValue(d.Metadata.Name, out var rollout))
        {
            return d;
        }

        var elapsed = DateTimeOffset.UtcNow - rollout.At;
        int available;
        List<V1DeploymentCondition> conditions = [];
        if (rollout.Target <= rollout.From)
        {
            available = rollout.Target;
        }
        else if (FailRollouts)
        {
            available = rollout.From;
            if (elapsed >= ReplicaStep)
            {
                conditions.Add(new V1DeploymentCondition
                {
                    Type = "Progressing",
                    Status = "False",
                    Reason = "ProgressDeadlineExceeded",
                    Message = $"ReplicaSet \"{d.Metadata.Name}-abc\" has timed out progressing.",
                });
            }
        }
        else
        {
            available = Math.Min(rollout.Target, rollout.From + (int)(elapsed / ReplicaStep));
        }

        d.Status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = rollout.Target,
            UpdatedReplicas = rollout.Target,
            ReadyReplicas = available,
            AvailableReplicas = available,
            Conditions = conditions,
        };
        return d;
    }

    /// <summary>A rolling restart as the controller reports it: observed after one step, then one pod replaced per step (one surge pod).</summary>
    private V1Deployment WithRestartStatus(V1Deployment d, DateTimeOffset at, int replicas)
    {
        var steps = (int)((DateTimeOffset.UtcNow - at) / ReplicaStep);
        var generation = d.Metadata.Generation ?? 1;
        var updated = FailRollouts ? 0 : Math.Min(replicas, Math.Max(0, steps - 1));
        d.Status = new V1DeploymentStatus
        {
            ObservedGeneration = steps == 0 ? generation - 1 : generation,
            Replicas = updated < replicas ? replicas + 1 : replicas,
            UpdatedReplicas = updated,
            ReadyReplicas = replicas,
            AvailableReplicas = replicas,
            Conditions = FailRollouts && steps > 1
                ? [new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded", Message = $"ReplicaSet \"{d.Metadata.Name}-def\" has timed out progressing." }]
                : [],
        };
        return d;
    }

    private async Task ExecAsync(HttpContext context, string path)
    {
        var match = Regex.Match(path, "^/api/v1/namespaces/(?<ns>[^/]+)/pods/(?<name>[^/]+)/exec$", RegexOptions.CultureInvariant);
        var command = context.Request.Query["command"].Select(c => c ?? string.Empty).ToList();
        var container = context.Request.Query["container"].ToString();
        lock (_lock)
        {
            _requests.Add(new RecordedRequest("GET", path, context.Request.QueryString.Value ?? string.Empty, string.Join(' ', command), WebSocket: true));
        }

        if (!match.Success || command.Count == 0 || !context.WebSockets.WebSocketRequestedProtocols.Contains(ExecProtocol))
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(ExecProtocol);
        var result = Exec(match.Groups["name"].Value, string.IsNullOrEmpty(container) ? null : container, command);
        if (result.Stdout.Length > 0)
        {
            await SendAsync(socket, 1, result.Stdout, context.RequestAborted);
        }

        if (result.Stderr.Length > 0)
        {
            await SendAsync(socket, 2, result.Stderr, context.RequestAborted);
        }

        var status = result.ExitCode == 0
            ? FakeResponse.StatusJson("Success")
            : FakeResponse.StatusJson(
                "Failure",
                "NonZeroExitCode",
                $"command terminated with non-zero exit code: exit status {result.ExitCode}",
                details: new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = result.ExitCode.ToString(CultureInfo.InvariantCulture) }),
                });
        await SendAsync(socket, 3, status, context.RequestAborted);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, context.RequestAborted);
    }

    private static async Task SendAsync(WebSocket socket, byte channel, string text, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[payload.Length + 1];
        frame[0] = channel;
        payload.CopyTo(frame, 1);
        await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
    }

    private static Dictionary<string, string> Selector(string query) =>
        query.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static bool Matches(IDictionary<string, string>? labels, IDictionary<string, string> selector) =>
        selector.All(s => labels is not null && labels.TryGetValue(s.Key, out var v) && string.Equals(v, s.Value, StringComparison.Ordinal));
}
