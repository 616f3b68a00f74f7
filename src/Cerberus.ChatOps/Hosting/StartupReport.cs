using k8s;

namespace Cerberus.ChatOps.Hosting;

/// <summary>
/// At start, one clear line naming what is not configured yet (Slack credentials, the monitored database, Patroni,
/// Kubernetes), instead of a crash. Reads only whether keys are set, never their values.
/// </summary>
internal sealed partial class StartupReport(IConfiguration configuration, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = Missing(configuration, KubernetesClientConfiguration.IsInCluster());
        if (missing.Count == 0)
        {
            Log.FullyConfigured(logger);
        }
        else
        {
            Log.NotConfigured(logger, string.Join("; ", missing));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static IReadOnlyList<string> Missing(IConfiguration configuration, bool inCluster)
    {
        var missing = new List<string>();
        var hasHttpSlack = IsSet(configuration, "Slack:SigningSecret") && IsSet(configuration, "Slack:BotToken");
        var hasSocketSlack = IsSet(configuration, "Slack:AppToken") && IsSet(configuration, "Slack:BotToken");
        if (!hasHttpSlack && !hasSocketSlack)
        {
            missing.Add("Slack credentials (Slack__SigningSecret and Slack__BotToken, or Slack__AppToken for Socket Mode): requests from Slack are refused with 401; outside a cluster the local console is on: open the URL with its token printed at start (127.0.0.1 only), or use the break-glass CLI (`-- incident help`)");
        }

        if (!IsSet(configuration, "Cerberus:Postgres:ConnectionString"))
        {
            missing.Add("monitored database (Cerberus__Postgres__ConnectionString): database probes report UNKNOWN");
        }

        if (!IsSet(configuration, "Cerberus:Patroni:Urls:0"))
        {
            missing.Add("Patroni (Cerberus__Patroni__Urls__0..N): cluster probes and failover are unavailable");
        }

        if (!IsSet(configuration, "Cerberus:Approvers:0"))
        {
            missing.Add("approver roster (Cerberus__Approvers__0..N: Slack user ids U…/W… or user groups S…): nobody may approve a change to production, every approval card says so; drills still work for anyone");
        }

        var enabled = configuration["Cerberus:Kubernetes:Enabled"];
        if (string.Equals(enabled, "false", StringComparison.OrdinalIgnoreCase))
        {
            missing.Add("Kubernetes (turned off by Cerberus__Kubernetes__Enabled=false)");
        }
        else if (string.IsNullOrWhiteSpace(enabled) && !inCluster && !IsSet(configuration, "Cerberus:Kubernetes:Host"))
        {
            missing.Add("Kubernetes (not running in a cluster; set Cerberus__Kubernetes__Enabled=true to use ~/.kube/config)");
        }

        return missing;
    }

    private static bool IsSet(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Not configured yet: {Missing}")]
        public static partial void NotConfigured(ILogger logger, string missing);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Slack, the monitored database, Patroni and Kubernetes are configured")]
        public static partial void FullyConfigured(ILogger logger);
    }
}
