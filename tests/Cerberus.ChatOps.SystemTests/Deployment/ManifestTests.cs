using k8s;
using k8s.Models;

namespace Cerberus.ChatOps.SystemTests.Deployment;

public sealed class ManifestTests(RenderedManifests manifests) : IClassFixture<RenderedManifests>
{
    private const string Namespace = "cerberus";
    private const string SecretName = "cerberus-chatops";

    /// <summary>Every setting that is a secret, and the Secret key it must come from.</summary>
    private static readonly Dictionary<string, string> SecretSettings = new(StringComparer.Ordinal)
    {
        ["Slack__SigningSecret"] = "slack-signing-secret",
        ["Slack__BotToken"] = "slack-bot-token",
        ["Slack__AppToken"] = "slack-app-token",
        ["Cerberus__Postgres__ConnectionString"] = "postgres-connection-string",
        ["Cerberus__Patroni__Password"] = "patroni-password",
        ["Cerberus__Reports__BearerToken"] = "reports-bearer-token",
        ["Cerberus__Alerts__BearerToken"] = "alerts-bearer-token",
        ["Cerberus__PagerDuty__RoutingKey"] = "pagerduty-routing-key",
    };

    /// <summary>The whole base Role, rule by rule: "group/resource" → verbs (resourceNames checked separately).</summary>
    private static readonly Dictionary<string, string[]> ExpectedBaseRules = new(StringComparer.Ordinal)
    {
        ["/pods"] = ["get", "list", "watch"],
        ["/pods/log"] = ["get"],
        ["/events"] = ["list", "watch"],
        ["/persistentvolumeclaims"] = ["get", "list"],
        ["/endpoints"] = ["get"],
        ["/configmaps"] = ["get"],
        ["apps/deployments"] = ["get", "list", "watch", "patch"],
        ["apps/deployments/scale"] = ["get", "patch"],
        ["autoscaling/horizontalpodautoscalers"] = ["get", "list"],
    };

    [Fact]
    public void Render_Base_PutsEveryObjectInNamespaceCerberusAndCreatesNoNamespace()
    {
        // arrange
        var objects = manifests.Base.Cast<IKubernetesObject<V1ObjectMeta>>().ToList();

        // act
        var outside = objects.Where(o => o.Metadata.NamespaceProperty != Namespace).Select(o => $"{o.Kind}/{o.Metadata.Name}").ToList();

        // assert
        Assert.True(outside.Count == 0, "not in namespace cerberus: " + string.Join(", ", outside));
        Assert.DoesNotContain(manifests.Base, o => o is V1Namespace);
        Assert.Equal(
            ["ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount"],
            objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Render_BaseAndOverlay_RenderNoSecretAndNoClusterWideRbac()
    {
        // arrange
        var all = manifests.Base.Concat(manifests.PostgresStore).Concat(manifests.WithComponents).ToList();

        // act
        var forbidden = all.Where(o => o is V1Secret or V1ClusterRole or V1ClusterRoleBinding).ToList();

        // assert
        Assert.Empty(forbidden);
        Assert.All(all.OfType<V1RoleBinding>(), b => Assert.Equal("Role", b.RoleRef.Kind));
    }

    [Fact]
    public void Deployment_Probes_ReadyzAndHealthzOnPort8080()
    {
        // arrange
        var container = Container(manifests.Base);

        // act
        var http = container.Ports.Single(p => p.Name == "http");

        // assert
        Assert.Equal(8080, http.ContainerPort);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.ToString());
        Assert.Equal("http", container.LivenessProbe.HttpGet.Port.ToString());
        Assert.Equal("/healthz", container.StartupProbe.HttpGet.Path);
    }

    [Fact]
    public void Deployment_SqliteStore_ExactlyOneReplicaRecreatedWithTmpAndDataOnEmptyDirs()
    {
        // arrange
        var deployment = Single<V1Deployment>(manifests.Base);
        var pod = deployment.Spec.Template.Spec;

        // act
        var mounts = pod.Containers[0].VolumeMounts.ToDictionary(m => m.MountPath, m => m.Name, StringComparer.Ordinal);
        var settings = Single<V1ConfigMap>(manifests.Base).Data;

        // assert
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        Assert.NotNull(pod.Volumes.Single(v => v.Name == mounts["/tmp"]).EmptyDir);
        Assert.NotNull(pod.Volumes.Single(v => v.Name == mounts["/data"]).EmptyDir);
        Assert.Equal("Sqlite", settings["Cerberus__Store__Provider"]);
        Assert.Equal("Data Source=/data/cerberus.db", settings["Cerberus__Store__ConnectionString"]);
        Assert.Equal(settings["Cerberus__Store__ConnectionString"], DockerRuntimeEnv()["Cerberus__Store__ConnectionString"]);
    }

    [Fact]
    public void Deployment_SecurityContext_NonRootReadOnlyNoEscalationNoCapabilitiesRuntimeDefault()
    {
        // arrange
        var pod = Single<V1Deployment>(manifests.Base).Spec.Template.Spec;
        var container = pod.Containers.Single();
        var imageUser = long.Parse(DockerUser(), System.Globalization.CultureInfo.InvariantCulture);

        // act
        var podContext = pod.SecurityContext;
        var containerContext = container.SecurityContext;

        // assert
        Assert.True(podContext.RunAsNonRoot);
        Assert.Equal(imageUser, podContext.RunAsUser);
        Assert.Equal("RuntimeDefault", podContext.SeccompProfile.Type);
        Assert.True(containerContext.RunAsNonRoot);
        Assert.Equal(imageUser, containerContext.RunAsUser);
        Assert.True(containerContext.ReadOnlyRootFilesystem);
        Assert.False(containerContext.AllowPrivilegeEscalation);
        Assert.False(containerContext.Privileged ?? false);
        Assert.Equal(["ALL"], containerContext.Capabilities.Drop);
        Assert.Null(containerContext.Capabilities.Add);
        Assert.Equal("RuntimeDefault", containerContext.SeccompProfile.Type);
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.NotEqual(true, pod.HostPID);
    }

    [Fact]
    public void Deployment_Resources_RequestCpuAndMemoryAndLimitMemory()
    {
        // arrange
        var resources = Container(manifests.Base).Resources;

        // act
        var memoryRequest = resources.Requests["memory"].ToDecimal();
        var memoryLimit = resources.Limits["memory"].ToDecimal();

        // assert
        Assert.True(resources.Requests["cpu"].ToDecimal() > 0);
        Assert.True(memoryRequest > 0);
        Assert.True(memoryLimit >= memoryRequest, $"memory limit {memoryLimit} is below the request {memoryRequest}");
    }

    [Fact]
    public void Role_Rules_AreTheLeastPrivilegeTableWithoutWildcardsSecretsOrExec()
    {
        // arrange
        var role = Single<V1Role>(manifests.Base);

        // act
        var rules = RuleTable(role);

        // assert
        Assert.Equal(ExpectedBaseRules.Keys.Order(StringComparer.Ordinal), rules.Keys.Order(StringComparer.Ordinal));
        foreach (var (resource, verbs) in ExpectedBaseRules)
        {
            Assert.Equal(verbs.Order(StringComparer.Ordinal), rules[resource].Order(StringComparer.Ordinal));
        }

        AssertNoWildcardsNorSecrets(role);
        Assert.DoesNotContain(role.Rules, r => r.Resources.Contains("pods/exec"));
        Assert.Equal(["cerberus-backend"], role.Rules.Single(r => r.Resources.Contains("deployments/scale")).ResourceNames);
        Assert.Equal(["cerberus-backend"], role.Rules.Single(r => r.Resources.Contains("deployments") && r.Verbs.Contains("patch")).ResourceNames);
        Assert.Null(role.Rules.Single(r => r.Resources.Contains("deployments") && r.Verbs.Contains("get")).ResourceNames);
        Assert.DoesNotContain(Single<V1ConfigMap>(manifests.Base).Data.Keys, k => k.Contains("ExecDiskProbe", StringComparison.Ordinal));
    }

    [Fact]
    public void RoleBinding_Subject_IsTheBotsOwnServiceAccountWithItsTokenMounted()
    {
        // arrange
        var binding = Single<V1RoleBinding>(manifests.Base);
        var account = Single<V1ServiceAccount>(manifests.Base);
        var pod = Single<V1Deployment>(manifests.Base).Spec.Template.Spec;

        // act
        var subject = binding.Subjects.Single();

        // assert
        Assert.Equal(("ServiceAccount", account.Metadata.Name, Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal(Single<V1Role>(manifests.Base).Metadata.Name, binding.RoleRef.Name);
        Assert.Equal(account.Metadata.Name, pod.ServiceAccountName);
        Assert.True(account.AutomountServiceAccountToken);
        Assert.True(pod.AutomountServiceAccountToken);
    }

    [Fact]
    public void Deployment_SecretSettings_ComeOnlyFromSecretKeyRefsAndTheConfigMapHoldsNone()
    {
        // arrange
        var container = Container(manifests.Base);
        var config = Single<V1ConfigMap>(manifests.Base);

        // act
        var env = container.Env.ToDictionary(e => e.Name, StringComparer.Ordinal);

        // assert
        foreach (var (name, key) in SecretSettings)
        {
            var reference = env[name].ValueFrom?.SecretKeyRef;
            Assert.True(reference is not null, $"{name} is not read from a secretKeyRef");
            Assert.Equal((SecretName, key), (reference.Name, reference.Key));
            Assert.Null(env[name].Value);
        }

        Assert.All(container.Env, e => Assert.True(e.Value is null || !LooksSecret(e.Name), $"{e.Name} has a literal value"));
        Assert.All(container.EnvFrom, e => Assert.True(e.ConfigMapRef is not null || e.SecretRef is not null));
        Assert.Equal(config.Metadata.Name, container.EnvFrom.Single(e => e.ConfigMapRef is not null).ConfigMapRef.Name);
        Assert.DoesNotContain(config.Data, kv => LooksSecret(kv.Key) || kv.Value.Contains("Password=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ConfigMap_Settings_PointAtTheClusterServices()
    {
        // arrange
        var settings = Single<V1ConfigMap>(manifests.Base).Data;

        // act
        var patroni = settings.Where(kv => kv.Key.StartsWith("Cerberus__Patroni__Urls__", StringComparison.Ordinal)).Select(kv => kv.Value).Order(StringComparer.Ordinal);

        // assert
        Assert.Equal(Namespace, settings["Cerberus__Kubernetes__Namespace"]);
        Assert.Equal(["http://postgres-primary:8008", "http://postgres-replica:8008"], patroni);
        Assert.Equal("http://cerberus-backend:8000/health", settings["Cerberus__App__HealthUrl"]);
    }

    [Fact]
    public void NetworkPolicy_Rules_Ingress8080AndEgressOnlyDnsPatroniPostgresBackendApiServerAndSlack()
    {
        // arrange
        var policy = Single<V1NetworkPolicy>(manifests.Base);
        var pod = Single<V1Deployment>(manifests.Base).Spec.Template.Metadata.Labels;

        // act
        var ingress = policy.Spec.Ingress.SelectMany(r => r.Ports).Select(p => $"{p.Protocol}/{p.Port}").ToHashSet();
        var egress = policy.Spec.Egress.SelectMany(r => r.Ports).Select(p => $"{p.Protocol}/{p.Port}").ToHashSet();

        // assert
        Assert.Equal(["Egress", "Ingress"], policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
        Assert.All(policy.Spec.PodSelector.MatchLabels, l => Assert.Equal(l.Value, pod[l.Key]));
        Assert.Equal(["TCP/8080"], ingress);
        Assert.Equal(["TCP/443", "TCP/53", "TCP/5432", "TCP/6443", "TCP/8000", "TCP/8008", "UDP/53"], egress.Order(StringComparer.Ordinal));
        var dns = policy.Spec.Egress.Single(r => r.Ports.Any(p => p.Port.ToString() == "53"));
        Assert.Equal("kube-system", dns.To.Single().NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        var database = policy.Spec.Egress.Single(r => r.Ports.Any(p => p.Port.ToString() == "5432"));
        Assert.Equal("cerberus-cluster", database.To.Single().PodSelector.MatchLabels["cluster-name"]);
        Assert.Contains(policy.Spec.Egress.Single(r => r.Ports.Any(p => p.Port.ToString() == "8008")).Ports, p => p.Port.ToString() == "5432");
    }

    [Fact]
    public void PodDisruptionBudget_Selector_CoversTheBotPodsAndAllowsOneDisruption()
    {
        // arrange
        var budget = Single<V1PodDisruptionBudget>(manifests.Base);
        var pod = Single<V1Deployment>(manifests.Base).Spec.Template.Metadata.Labels;

        // act
        var selector = budget.Spec.Selector.MatchLabels;

        // assert
        Assert.NotEmpty(selector);
        Assert.All(selector, l => Assert.Equal(l.Value, pod[l.Key]));
        Assert.Equal("1", budget.Spec.MaxUnavailable.ToString());
        Assert.Null(budget.Spec.MinAvailable);
    }

    [Fact]
    public void Service_Port_IsClusterIp80ToTheHttpContainerPort()
    {
        // arrange
        var service = Single<V1Service>(manifests.Base);
        var pod = Single<V1Deployment>(manifests.Base).Spec.Template.Metadata.Labels;

        // act
        var port = service.Spec.Ports.Single();

        // assert
        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal(80, port.Port);
        Assert.Equal("http", port.TargetPort.ToString());
        Assert.All(service.Spec.Selector, l => Assert.Equal(l.Value, pod[l.Key]));
    }

    [Fact]
    public void ExecDiskProbeComponent_Role_AddsOnlyPodsExecCreateAndGet()
    {
        // arrange
        var baseRules = RuleTable(Single<V1Role>(manifests.Base));
        var role = Single<V1Role>(manifests.WithComponents);

        // act
        var rules = RuleTable(role);

        // assert
        Assert.Equal(["create", "get"], rules["/pods/exec"].Order(StringComparer.Ordinal));
        Assert.Equal(baseRules.Keys.Append("/pods/exec").Order(StringComparer.Ordinal), rules.Keys.Order(StringComparer.Ordinal));
        AssertNoWildcardsNorSecrets(role);
        Assert.Equal("true", Single<V1ConfigMap>(manifests.WithComponents).Data["Cerberus__Kubernetes__ExecDiskProbe"]);
    }

    [Fact]
    public void FenceStalePrimaryComponent_Role_AddsOnlyPodsDeleteAndTurnsFencingOn()
    {
        // arrange
        var baseRules = RuleTable(Single<V1Role>(manifests.Base));
        var role = Single<V1Role>(manifests.WithFence);

        // act
        var rules = RuleTable(role);
        var added = role.Rules.Single(r => r.Verbs.Contains("delete"));

        // assert
        Assert.Equal(baseRules.Keys.Order(StringComparer.Ordinal), rules.Keys.Order(StringComparer.Ordinal));
        foreach (var (resource, verbs) in baseRules)
        {
            var expected = resource == "/pods" ? verbs.Append("delete") : verbs;
            Assert.Equal(expected.Order(StringComparer.Ordinal), rules[resource].Order(StringComparer.Ordinal));
        }

        Assert.Equal([""], added.ApiGroups);
        Assert.Equal(["pods"], added.Resources);
        Assert.Equal(["delete"], added.Verbs);
        Assert.DoesNotContain(baseRules.Values, v => v.Contains("delete"));
        AssertNoWildcardsNorSecrets(role, podDelete: true);
        var settings = Single<V1ConfigMap>(manifests.WithFence).Data;
        Assert.Equal("true", settings["Cerberus__Kubernetes__FencePods"]);
        Assert.Equal("00:00:05", settings["Cerberus__Kubernetes__FenceGracePeriod"]);
        Assert.DoesNotContain(Single<V1ConfigMap>(manifests.Base).Data.Keys, k => k.Contains("Fence", StringComparison.Ordinal));
    }

    [Fact]
    public void DiskComponents_Rbac_PvcPatchInTheRoleAndTwoReadOnlyClusterRolesBoundToTheBotOnly()
    {
        // arrange
        var baseRules = RuleTable(Single<V1Role>(manifests.Base));
        var role = Single<V1Role>(manifests.WithDiskComponents);
        var clusterRoles = manifests.WithDiskComponents.OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name, StringComparer.Ordinal);
        var bindings = manifests.WithDiskComponents.OfType<V1ClusterRoleBinding>().ToList();

        // act
        var rules = RuleTable(role);

        // assert: the namespaced Role gains exactly persistentvolumeclaims patch
        Assert.Equal(["get", "list", "patch"], rules["/persistentvolumeclaims"].Order(StringComparer.Ordinal));
        Assert.Equal(baseRules.Keys.Order(StringComparer.Ordinal), rules.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(role.Rules, r => r.Resources.Contains("pods/exec"));
        AssertNoWildcardsNorSecrets(role);

        // assert: two cluster roles, each one read-only rule
        Assert.Equal(["cerberus-chatops-kubelet-volume-stats", "cerberus-chatops-volume-expansion"], clusterRoles.Keys.Order(StringComparer.Ordinal));
        var storage = Assert.Single(clusterRoles["cerberus-chatops-volume-expansion"].Rules);
        Assert.Equal("storage.k8s.io/storageclasses: get", $"{string.Join(",", storage.ApiGroups)}/{string.Join(",", storage.Resources)}: {string.Join(",", storage.Verbs)}");
        var proxy = Assert.Single(clusterRoles["cerberus-chatops-kubelet-volume-stats"].Rules);
        Assert.Equal("/nodes/proxy: get", $"{string.Join(",", proxy.ApiGroups)}/{string.Join(",", proxy.Resources)}: {string.Join(",", proxy.Verbs)}");
        Assert.Null(proxy.ResourceNames);
        Assert.All(clusterRoles.Values, r => Assert.Null(r.AggregationRule));

        // assert: each bound to the bot's ServiceAccount in cerberus, nothing else
        Assert.Equal(2, bindings.Count);
        foreach (var binding in bindings)
        {
            Assert.Equal("ClusterRole", binding.RoleRef.Kind);
            Assert.Equal(binding.Metadata.Name, binding.RoleRef.Name);
            var subject = Assert.Single(binding.Subjects);
            Assert.Equal(("ServiceAccount", "cerberus-chatops", Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }

        Assert.Equal("true", Single<V1ConfigMap>(manifests.WithDiskComponents).Data["Cerberus__Kubernetes__KubeletVolumeStats"]);
        Assert.False(Single<V1ConfigMap>(manifests.Base).Data.ContainsKey("Cerberus__Kubernetes__KubeletVolumeStats"));
    }

    [Fact]
    public void SqlitePvcComponent_DataVolume_IsTheClaimInNamespaceCerberus()
    {
        // arrange
        var deployment = Single<V1Deployment>(manifests.WithComponents);
        var claim = Single<V1PersistentVolumeClaim>(manifests.WithComponents);

        // act
        var data = deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "data");

        // assert
        Assert.Equal(claim.Metadata.Name, data.PersistentVolumeClaim.ClaimName);
        Assert.Null(data.EmptyDir);
        Assert.Equal(Namespace, claim.Metadata.NamespaceProperty);
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
    }

    [Fact]
    public void PostgresStoreOverlay_Deployment_TwoReplicasRollingUpdatePostgresProviderAndNoSqliteVolume()
    {
        // arrange
        var deployment = Single<V1Deployment>(manifests.PostgresStore);
        var settings = Single<V1ConfigMap>(manifests.PostgresStore).Data;
        var container = deployment.Spec.Template.Spec.Containers.Single();

        // act
        var store = container.Env.Single(e => e.Name == "Cerberus__Store__ConnectionString").ValueFrom.SecretKeyRef;

        // assert
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.ToString());
        Assert.Equal("Postgres", settings["Cerberus__Store__Provider"]);
        Assert.False(settings.ContainsKey("Cerberus__Store__ConnectionString"), "the SQLite connection string is still a setting");
        Assert.Equal((SecretName, "store-connection-string"), (store.Name, store.Key));
        Assert.DoesNotContain(deployment.Spec.Template.Spec.Volumes, v => v.Name == "data");
        Assert.DoesNotContain(container.VolumeMounts, m => m.MountPath == "/data");
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(Namespace, deployment.Metadata.NamespaceProperty);
        Assert.NotNull(Single<V1PodDisruptionBudget>(manifests.PostgresStore));
    }

    [Fact]
    public void ExampleSecret_Values_ArePlaceholdersCoveringEveryReferencedKeyAndItIsNotRendered()
    {
        // arrange
        var example = KubernetesYaml.LoadAllFromString(File.ReadAllText(RepositoryPaths.Combine("manifests", "examples", "secret.example.yaml"))).OfType<V1Secret>().Single();
        var referenced = manifests.Base.Concat(manifests.PostgresStore).OfType<V1Deployment>()
            .SelectMany(d => d.Spec.Template.Spec.Containers).SelectMany(c => c.Env)
            .Select(e => e.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>().ToList();

        // act
        var missing = referenced.Where(r => r.Name != example.Metadata.Name || !example.StringData.ContainsKey(r.Key)).Select(r => r.Key).ToList();

        // assert
        Assert.True(missing.Count == 0, "keys referenced but absent from the example Secret: " + string.Join(", ", missing));
        Assert.All(example.StringData, kv => Assert.Contains("REPLACE_ME", kv.Value, StringComparison.Ordinal));
        Assert.DoesNotContain(manifests.Base, o => o is V1Secret);
    }

    private static T Single<T>(IEnumerable<object> objects) => objects.OfType<T>().Single();

    private static V1Container Container(IEnumerable<object> objects) => Single<V1Deployment>(objects).Spec.Template.Spec.Containers.Single();

    private static Dictionary<string, IList<string>> RuleTable(V1Role role) =>
        role.Rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.Select(res => (Key: $"{g}/{res}", r.Verbs))))
            .GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IList<string>)[.. g.SelectMany(x => x.Verbs)], StringComparer.Ordinal);

    /// <param name="podDelete">The fence component's one exception: <c>delete</c> on core <c>pods</c>, in a rule of its own.</param>
    private static void AssertNoWildcardsNorSecrets(V1Role role, bool podDelete = false)
    {
        foreach (var rule in role.Rules)
        {
            if (podDelete && rule.Verbs.SequenceEqual(["delete"]) && rule.Resources.SequenceEqual(["pods"]) && rule.ApiGroups.SequenceEqual([""]))
            {
                continue;
            }

            Assert.DoesNotContain("*", rule.Verbs);
            Assert.DoesNotContain("*", rule.Resources);
            Assert.DoesNotContain("*", rule.ApiGroups);
            Assert.DoesNotContain(rule.Resources, r => r.StartsWith("secrets", StringComparison.Ordinal));
            Assert.Null(rule.NonResourceURLs);
            Assert.DoesNotContain(rule.Verbs, v => v is "escalate" or "bind" or "impersonate" or "delete" or "deletecollection");
        }
    }

    private static bool LooksSecret(string name) =>
        new[] { "Secret", "Token", "Password", "ConnectionString" }.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase))
        && !name.StartsWith("Cerberus__Store__", StringComparison.Ordinal);

    private static Dictionary<string, string> DockerRuntimeEnv() =>
        Dockerfile.Parse(File.ReadAllText(RepositoryPaths.Combine("Dockerfile")))[^1].Variables().ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private static string DockerUser() =>
        Dockerfile.Parse(File.ReadAllText(RepositoryPaths.Combine("Dockerfile")))[^1].ArgumentsOf("USER").Last().Split(':')[0];
}
