using k8s.Models;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>What the probe reads of one pod: phase, readiness, restarts, CrashLoopBackOff and why the last container died.</summary>
internal sealed record PodHealth(string Name, string? Role, string Phase, bool Ready, int Restarts, bool CrashLoop, string? Waiting, string? LastTerminated)
{
    public const string CrashLoopBackOff = "CrashLoopBackOff";

    public static PodHealth Of(V1Pod pod, string? role)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var waiting = statuses.Select(s => s.State?.Waiting?.Reason).FirstOrDefault(r => !string.IsNullOrEmpty(r));
        var terminated = statuses.Select(s => s.LastState?.Terminated?.Reason).FirstOrDefault(r => !string.IsNullOrEmpty(r));
        return new PodHealth(
            pod.Metadata?.Name ?? "?",
            role,
            pod.Status?.Phase ?? "Unknown",
            statuses.Count > 0 && statuses.All(s => s.Ready),
            statuses.Sum(s => s.RestartCount),
            statuses.Any(s => string.Equals(s.State?.Waiting?.Reason, CrashLoopBackOff, StringComparison.Ordinal)),
            waiting,
            terminated);
    }

    public string Describe()
    {
        var parts = new List<string> { Phase, Ready ? "ready" : "not ready" };
        if (Restarts > 0)
        {
            parts.Add(LastTerminated is null ? $"{Restarts} restarts" : $"{Restarts} restarts (last: {LastTerminated})");
        }

        if (Waiting is not null)
        {
            parts.Add(Waiting);
        }

        return $"pod {Name}{(Role is null ? string.Empty : $" ({Role})")}: {string.Join(", ", parts)}";
    }
}
