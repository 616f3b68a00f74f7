using System.Text;
using k8s;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// Runs one command in a pod's container through the Kubernetes exec API (pods/exec), without a TTY, and returns its
/// exit code and its output cut to <see cref="MaxOutputChars"/>. Shared by the volume probe and the clean-up's
/// free-space check: the one place that execs.
/// </summary>
internal static class PodExec
{
    public const int MaxOutputChars = 4096;

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        IKubernetes client, string @namespace, string pod, string? container, string[] command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var stdout = string.Empty;
        var stderr = string.Empty;
        var exit = await client.NamespacedPodExecAsync(pod, @namespace, container, command, false, async (_, output, error) =>
        {
            using var o = new StreamReader(output, Encoding.UTF8);
            using var e = new StreamReader(error, Encoding.UTF8);
            var readOut = o.ReadToEndAsync(cancellationToken);
            var readErr = e.ReadToEndAsync(cancellationToken);
            stdout = Limit(await readOut);
            stderr = Limit(await readErr);
        }, cancellationToken);
        return (exit, stdout, stderr);
    }

    private static string Limit(string text) => text.Length <= MaxOutputChars ? text : text[..MaxOutputChars];
}
