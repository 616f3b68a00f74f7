namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>Without Slack credentials in a cluster the console stays off; this says so once at start, and how to allow it.</summary>
internal sealed partial class ConsoleOffNotice(ILogger<ConsoleOffNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.OffInCluster(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Local console: off, because this runs in a cluster (KUBERNETES_SERVICE_HOST is set); set Cerberus__Console__Enabled=true to serve it on the pod's 127.0.0.1 (reach it with kubectl port-forward)")]
        public static partial void OffInCluster(ILogger logger);
    }
}
