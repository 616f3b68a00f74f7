using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Text;
using k8s;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// <c>df -P -B1 &lt;DataPath&gt;</c> and <c>df -P -i &lt;DataPath&gt;</c> in the pod's postgres container through pods/exec
/// (<c>ExecDiskProbe=true</c>): the freshest figure, but the riskiest grant, and impossible while the container is not
/// running (a PANIC restart loop).
/// </summary>
internal sealed partial class ExecDfVolumeSource(KubernetesOptions options, ILogger logger) : IVolumeStatsSource
{
    public string Name => "exec df";

    public bool Enabled => options.ExecDiskProbe;

    public async Task<VolumeSourceResult> ReadAsync(IKubernetes client, PostgresPod pod, DataVolume volume, CancellationToken cancellationToken)
    {
        var container = PostgresPods.ContainerOf(pod.Pod, options.PostgresContainer);
        var what = $"df {options.DataPath} in pod {pod.Name}";
        try
        {
            var (exit, stdout, stderr) = await PodExec.RunAsync(client, options.Namespace, pod.Name, container, ["df", "-P", "-B1", options.DataPath], cancellationToken);
            Log.Exec(logger, pod.Name, "df -P -B1", exit);
            if (exit != 0 || DfParser.Parse(stdout) is not { } usage)
            {
                var why = exit != 0 ? $"df exited with {exit}" : "df printed nothing that parses";
                return VolumeSourceResult.Failed(Name, string.IsNullOrWhiteSpace(stderr) ? why : $"{why}: {SecretRedactor.Redact(stderr.Trim())}");
            }

            long? inodes = null;
            long? inodesFree = null;
            var (iexit, iout, _) = await PodExec.RunAsync(client, options.Namespace, pod.Name, container, ["df", "-P", "-i", options.DataPath], cancellationToken);
            Log.Exec(logger, pod.Name, "df -P -i", iexit);
            if (iexit == 0 && DfParser.Parse(iout) is { Total: > 0 } i)
            {
                inodes = i.Total;
                inodesFree = i.Available;
            }

            var stats = new VolumeStats(usage.Total, usage.Used, usage.Available, inodes, inodesFree, what);
            return VolumeSourceResult.Of(stats, $"df {usage.Filesystem} on {usage.MountedOn} in pod {pod.Name}: used {ByteSize.Format(usage.Used)}, available {ByteSize.Format(usage.Available)}");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return VolumeSourceResult.Failed(Name, $"{what}: {KubernetesErrors.Describe(ex, "pods/exec create and get")}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Free space: exec {Command} in pod {Pod} exited with {ExitCode}")]
        public static partial void Exec(ILogger logger, string pod, string command, int exitCode);
    }
}
