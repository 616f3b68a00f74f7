using System.Diagnostics.CodeAnalysis;
using Cerberus.ChatOps.Domain.Text;
using k8s;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// The one place that decides whether the bot talks to Kubernetes, and builds the client when it does. Consumers ask
/// <see cref="TryGetClient"/>; when Kubernetes is off or not configured they get the reason to show, never an exception.
/// </summary>
internal sealed partial class KubernetesAccess : IDisposable
{
    public const string OffReason = "Kubernetes is off (Cerberus__Kubernetes__Enabled=false)";

    public const string NotInClusterReason =
        "Kubernetes is off (not running in a cluster; set Cerberus__Kubernetes__Enabled=true to use ~/.kube/config)";

    private readonly Lazy<(IKubernetes? Client, string? Reason)> _client;

    public KubernetesAccess(IOptions<KubernetesOptions> options, ILogger<KubernetesAccess> logger)
        : this(options.Value, KubernetesClientConfiguration.IsInCluster, logger)
    {
    }

    internal KubernetesAccess(KubernetesOptions options, Func<bool> isInCluster, ILogger logger)
    {
        Options = options;
        _client = new(() => Build(options, isInCluster, logger), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public KubernetesOptions Options { get; }

    /// <summary>True when a client exists (built on first use).</summary>
    public bool IsAvailable => _client.Value.Client is not null;

    public bool TryGetClient([NotNullWhen(true)] out IKubernetes? client, [NotNullWhen(false)] out string? reason)
    {
        (client, reason) = _client.Value;
        if (client is null)
        {
            reason ??= OffReason;
            return false;
        }

        reason = null;
        return true;
    }

    public void Dispose()
    {
        if (_client.IsValueCreated && _client.Value.Client is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    internal static (IKubernetes? Client, string? Reason) Build(KubernetesOptions options, Func<bool> isInCluster, ILogger logger)
    {
        if (options.Enabled == false)
        {
            Log.Off(logger);
            return (null, OffReason);
        }

        var hasHost = !string.IsNullOrWhiteSpace(options.Host);
        if (options.Enabled is null && !hasHost && !isInCluster())
        {
            Log.NotInCluster(logger);
            return (null, NotInClusterReason);
        }

        try
        {
            KubernetesClientConfiguration config;
            string source;
            if (hasHost)
            {
                config = new KubernetesClientConfiguration { Host = options.Host };
                source = "Cerberus__Kubernetes__Host";
            }
            else if (options.Enabled is null)
            {
                config = KubernetesClientConfiguration.InClusterConfig();
                source = "in-cluster service account";
            }
            else
            {
                config = KubernetesClientConfiguration.BuildDefaultConfig();
                source = "KUBECONFIG / ~/.kube/config (or in-cluster)";
            }

            config.HttpClientTimeout = options.RequestTimeout;
            var client = new k8s.Kubernetes(config);
            Log.Enabled(logger, source, options.Namespace);
            return (client, null);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or UriFormatException or InvalidOperationException)
        {
            var reason = $"Kubernetes is not available: the client configuration failed ({SecretRedactor.Redact(ex.Message)})";
            Log.ConfigurationFailed(logger, SecretRedactor.Redact(ex.Message));
            return (null, reason);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Kubernetes: using {Source}, namespace {Namespace}")]
        public static partial void Enabled(ILogger logger, string source, string @namespace);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Kubernetes is off (Cerberus__Kubernetes__Enabled=false)")]
        public static partial void Off(ILogger logger);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Kubernetes is off: not running in a cluster and Cerberus__Kubernetes__Enabled is not set")]
        public static partial void NotInCluster(ILogger logger);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Kubernetes is not available: the client configuration failed: {Error}")]
        public static partial void ConfigurationFailed(ILogger logger, string error);
    }
}
