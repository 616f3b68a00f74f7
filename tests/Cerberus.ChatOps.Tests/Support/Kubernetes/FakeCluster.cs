using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>Wires the bot's Kubernetes access to a <see cref="FakeKubernetesApiServer"/> through <c>Cerberus:Kubernetes:Host</c>.</summary>
public static class FakeCluster
{
    internal static KubernetesOptions Options(FakeKubernetesApiServer server, Action<KubernetesOptions>? configure = null)
    {
        var options = new KubernetesOptions
        {
            Enabled = true,
            Host = server.Uri.ToString(),
            RequestTimeout = TimeSpan.FromSeconds(5),
            ProbeTimeout = TimeSpan.FromSeconds(10),
            RolloutTimeout = TimeSpan.FromSeconds(5),
            RolloutPollInterval = TimeSpan.FromMilliseconds(30),
        };
        configure?.Invoke(options);
        return options;
    }

    internal static KubernetesAccess Access(FakeKubernetesApiServer server, Action<KubernetesOptions>? configure = null) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(server, configure)), NullLogger<KubernetesAccess>.Instance);

    internal static KubernetesAccess Off() =>
        new(Microsoft.Extensions.Options.Options.Create(new KubernetesOptions { Enabled = false }), NullLogger<KubernetesAccess>.Instance);
}
