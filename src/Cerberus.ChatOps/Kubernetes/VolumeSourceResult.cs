namespace Cerberus.ChatOps.Kubernetes;

/// <summary>What one free-space source answered: a reading, or why it has none (a sentence naming the source).</summary>
internal sealed record VolumeSourceResult(string Source, VolumeStats? Stats, string? Problem, IReadOnlyList<string> Notes)
{
    public static VolumeSourceResult Of(VolumeStats stats, params string[] notes) => new(stats.Source, stats, null, notes);

    public static VolumeSourceResult Failed(string source, string problem) => new(source, null, problem, []);
}
