using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// Measures the free space of the leader's data volume the way the volume probe does: <c>df -P -B1</c> on
/// <c>Cerberus:Kubernetes:DataPath</c> in the postgres container of the pod Patroni labels as leader, through the
/// exec API (needs <c>ExecDiskProbe=true</c> and pods/exec). Any failure is "free space unknown" with the reason,
/// never an exception and never a number made up.
/// </summary>
internal sealed partial class DataVolumeMeter(KubernetesAccess access, TimeProvider time, ILogger<DataVolumeMeter> logger)
{
    public const string ExecOffReason =
        "exec df is off (set Cerberus__Kubernetes__ExecDiskProbe=true and grant pods/exec, see docs/kubernetes.md)";

    public async Task<FreeSpace> MeasureLeaderAsync(CancellationToken cancellationToken)
    {
        var options = access.Options;
        var where = $"df {options.DataPath}";
        if (!access.TryGetClient(out var client, out var reason))
        {
            return FreeSpace.Unknown(where, reason);
        }

        if (!options.ExecDiskProbe)
        {
            return FreeSpace.Unknown(where, ExecOffReason);
        }

        using var timeout = new CancellationTokenSource(options.ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var pods = await PostgresPods.FindAsync(client, options, linked.Token);
            if (PostgresPods.Leader(pods) is not { } pod)
            {
                return FreeSpace.Unknown(where, $"no postgres leader pod found (label {options.PatroniClusterLabel})");
            }

            where = $"df {options.DataPath} in pod {pod.Name}";
            var (exit, stdout, stderr) = await PodExec.RunAsync(
                client, options.Namespace, pod.Name, PostgresPods.ContainerOf(pod.Pod, options.PostgresContainer), ["df", "-P", "-B1", options.DataPath], linked.Token);
            Log.Measured(logger, pod.Name, exit);
            if (exit != 0 || DfParser.Parse(stdout) is not { } usage)
            {
                var why = exit != 0 ? $"df exited with {exit}" : "df printed nothing that parses";
                return FreeSpace.Unknown(where, string.IsNullOrWhiteSpace(stderr) ? why : $"{why}: {SecretRedactor.Redact(stderr.Trim())}");
            }

            return new FreeSpace(usage.Available, usage.Total, where, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return FreeSpace.Unknown(where, $"no answer within {options.ProbeTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, linked.Token))
        {
            Log.Failed(logger, ex.GetType().Name);
            return FreeSpace.Unknown(where, KubernetesErrors.Describe(ex, "pods list, pods/exec create and get"));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Free space: exec df in pod {Pod} exited with {ExitCode}")]
        public static partial void Measured(ILogger logger, string pod, int exitCode);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Free space: measuring the data volume failed ({Error})")]
        public static partial void Failed(ILogger logger, string error);
    }
}
