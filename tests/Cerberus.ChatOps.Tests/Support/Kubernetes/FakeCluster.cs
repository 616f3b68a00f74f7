using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>A plain IHttpClientFactory (no handlers), as the host registers the Prometheus client.</summary>
    internal static IHttpClientFactory HttpClients { get; } = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    /// <summary>The product's free-space meter on <paramref name="access"/>.</summary>
    internal static DataVolumeMeter Meter(KubernetesAccess access, TimeProvider? time = null) =>
        new(access, HttpClients, time ?? TimeProvider.System, NullLogger<DataVolumeMeter>.Instance);

    internal static KubernetesAccess Off() =>
        new(Microsoft.Extensions.Options.Options.Create(new KubernetesOptions { Enabled = false }), NullLogger<KubernetesAccess>.Instance);
}
